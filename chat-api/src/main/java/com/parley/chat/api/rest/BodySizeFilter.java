package com.parley.chat.api.rest;

import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import com.parley.chat.api.config.ChatApiConfig;
import com.parley.chat.api.service.Problems;

/** Refuses an oversized body with a 413 problem before it is read. */
public class BodySizeFilter {

    @Inject
    ChatApiConfig config;

    @ServerRequestFilter(preMatching = true)
    public void limit(ContainerRequestContext request) {
        String length = request.getHeaderString(HttpHeaders.CONTENT_LENGTH);
        if (length == null) {
            return;
        }
        try {
            if (Long.parseLong(length.trim()) > config.maxRequestBytes()) {
                throw Problems.payloadTooLarge(config.maxRequestBytes());
            }
        } catch (NumberFormatException e) {
            throw Problems.badRequest("Content-Length is not a number.");
        }
    }
}
