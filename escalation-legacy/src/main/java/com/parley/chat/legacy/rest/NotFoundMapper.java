package com.parley.chat.legacy.rest;

import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Outside the legacy paths there is nothing: a 404 problem, not a 410. */
public class NotFoundMapper {

    @ServerExceptionMapper
    public Response notFound(NotFoundException e, UriInfo uri) {
        return problem(404, "not-found", "Not Found", "No such resource.", uri.getPath());
    }

    @ServerExceptionMapper
    public Response other(WebApplicationException e, UriInfo uri) {
        int status = e.getResponse().getStatus();
        Response.Status known = Response.Status.fromStatusCode(status);
        String title = known == null ? "HTTP " + status : known.getReasonPhrase();
        return problem(status, "http-" + status, title, title + ".", uri.getPath());
    }

    private static Response problem(int status, String slug, String title, String detail, String path) {
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", "https://parley.chat/problems/" + slug);
        problem.put("title", title);
        problem.put("status", status);
        problem.put("detail", detail);
        problem.put("instance", path);
        return Response.status(status).type(Gone.PROBLEM_JSON).entity(problem).build();
    }
}
