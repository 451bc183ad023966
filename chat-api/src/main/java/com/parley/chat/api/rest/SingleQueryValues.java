package com.parley.chat.api.rest;

import java.lang.reflect.Parameter;
import java.util.List;

import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import com.parley.chat.api.service.Problems;

/**
 * Every query parameter an operation takes has one value: one given twice
 * ({@code ?status=open&status=closed}) is refused, where JAX-RS read the first and left the second
 * unused without a word. Parameters an operation does not take are ignored, given once or twice.
 */
public class SingleQueryValues {

    @ServerRequestFilter
    public void once(ContainerRequestContext request, ResourceInfo resource) {
        if (resource.getResourceMethod() == null) {
            return;
        }
        for (Parameter parameter : resource.getResourceMethod().getParameters()) {
            QueryParam query = parameter.getAnnotation(QueryParam.class);
            if (query != null && request.getUriInfo().getQueryParameters().getOrDefault(query.value(), List.of())
                    .size() > 1) {
                throw Problems.badRequest("The query names '" + query.value() + "' more than once; it takes one"
                        + " value.");
            }
        }
    }
}
