package com.parley.chat.api.rest;

import java.util.List;
import java.util.Map;

import jakarta.ws.rs.container.ContainerRequestContext;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import com.parley.chat.api.service.Problems;

/**
 * Every query parameter of the API takes one value: one given twice ({@code ?status=open&status=closed})
 * is refused, where JAX-RS read the first and left the second unused without a word.
 */
public class SingleQueryValues {

    @ServerRequestFilter
    public void once(ContainerRequestContext request) {
        for (Map.Entry<String, List<String>> parameter : request.getUriInfo().getQueryParameters().entrySet()) {
            if (parameter.getValue().size() > 1) {
                throw Problems.badRequest("The query names '" + parameter.getKey() + "' more than once; each"
                        + " parameter takes one value.");
            }
        }
    }
}
