package com.parley.chat.api.rest;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.MultivaluedMap;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import com.parley.chat.api.service.Problems;

/**
 * Every query parameter an operation takes has one value: one given twice
 * ({@code ?status=open&status=closed}) is refused, where JAX-RS read the first and left the second
 * unused without a word. Parameters an operation does not take are ignored, given once or twice.
 */
public class SingleQueryValues {

    /** The query parameters each resource method takes, read from its annotations once. */
    private static final Map<Method, List<String>> TAKEN = new ConcurrentHashMap<>();

    @ServerRequestFilter
    public void once(ContainerRequestContext request, ResourceInfo resource) {
        MultivaluedMap<String, String> query = request.getUriInfo().getQueryParameters();
        if (query.isEmpty() || resource.getResourceMethod() == null) {
            return; // most requests (every post) have no query at all
        }
        for (String name : TAKEN.computeIfAbsent(resource.getResourceMethod(), SingleQueryValues::queryParameters)) {
            if (query.getOrDefault(name, List.of()).size() > 1) {
                throw Problems.badRequest("The query names '" + name + "' more than once; it takes one value.");
            }
        }
    }

    private static List<String> queryParameters(Method method) {
        return Arrays.stream(method.getParameters()).map(p -> p.getAnnotation(QueryParam.class))
                .filter(Objects::nonNull).map(QueryParam::value).toList();
    }
}
