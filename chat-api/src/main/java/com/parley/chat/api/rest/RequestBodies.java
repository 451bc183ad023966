package com.parley.chat.api.rest;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.parley.chat.api.config.ChatApiConfig;
import com.parley.chat.api.service.ProblemException;
import com.parley.chat.api.service.Problems;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * Reads every API request body up to {@code max-request-bytes} before a resource sees it, with
 * Vert.x Web's BodyHandler: a larger body is refused with a 413 problem whether it announces its
 * length or comes chunked (counted as it arrives, never parsed). The resources then read the
 * buffered body.
 */
@ApplicationScoped
public class RequestBodies {

    @Inject
    ChatApiConfig config;

    @Inject
    ObjectMapper json;

    void routes(@Observes Router router) {
        BodyHandler bodies = BodyHandler.create(false).setBodyLimit(config.maxRequestBytes());
        router.route("/api/*").order(Integer.MIN_VALUE)
                .handler(rc -> {
                    if (hasBody(rc.request())) {
                        bodies.handle(rc);
                    } else {
                        rc.next(); // nothing to read (an empty buffered body would leave the resource waiting)
                    }
                })
                .failureHandler(rc -> {
                    if (rc.statusCode() != 413 || rc.response().headWritten()) {
                        rc.next();
                        return;
                    }
                    ProblemException tooLarge = Problems.payloadTooLarge(config.maxRequestBytes());
                    Problem problem = new Problem(tooLarge.type(), tooLarge.title(), 413, tooLarge.detail(),
                            rc.request().path(), tooLarge.extensions());
                    try {
                        rc.response().setStatusCode(413).putHeader("Content-Type", Problem.MEDIA_TYPE)
                                .putHeader("Connection", "close").end(json.writeValueAsString(problem));
                    } catch (JsonProcessingException e) {
                        rc.response().setStatusCode(413).end();
                    }
                });
    }

    private static boolean hasBody(HttpServerRequest request) {
        String length = request.getHeader("Content-Length");
        return request.getHeader("Transfer-Encoding") != null || (length != null && !length.trim().equals("0"));
    }
}
