package com.parley.chat.api.rest;

import java.lang.reflect.Method;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The methods each URL of the API takes, from the resources' own annotations: the {@code Allow} header of a
 * 405 (RFC 9110 requires it; RESTEasy Reactive sends none) and the answer to {@code OPTIONS} (RESTEasy
 * Reactive lists every method of the resource class there, whatever the path). A browser's CORS preflight
 * never gets here: the HTTP layer answers it first.
 */
@RegisterForReflection(targets = {SessionResource.class, NoticeResource.class, ErasureResource.class,
        OperatorResource.class, StatsResource.class, SavedReplyResource.class, NoteResource.class}, methods = true)
public class AllowedMethods {

    /** The resources whose annotations are read; the annotation above keeps them in a native image. */
    private static final List<Class<?>> RESOURCES = List.of(SessionResource.class, NoticeResource.class,
            ErasureResource.class, OperatorResource.class, StatsResource.class, SavedReplyResource.class,
            NoteResource.class);

    private static final List<Route> ROUTES = routes();

    private record Route(Pattern path, Set<String> methods) {
    }

    /** What {@code Allow} says for this request path, if the API serves it. */
    static Optional<String> at(String path) {
        return ROUTES.stream().filter(route -> route.path().matcher(path).matches()).findFirst()
                .map(route -> String.join(", ", route.methods()));
    }

    @ServerRequestFilter(preMatching = true)
    public Response options(ContainerRequestContext request) {
        if (!HttpMethod.OPTIONS.equals(request.getMethod())) {
            return null;
        }
        return at(request.getUriInfo().getPath())
                .map(allow -> Response.noContent().header(HttpHeaders.ALLOW, allow).build()).orElse(null);
    }

    private static List<Route> routes() {
        Map<String, Set<String>> byTemplate = new LinkedHashMap<>();
        for (Class<?> resource : RESOURCES) {
            String base = resource.getAnnotation(Path.class).value();
            for (Method method : resource.getDeclaredMethods()) {
                String verb = verb(method);
                if (verb == null) {
                    continue;
                }
                Path sub = method.getAnnotation(Path.class);
                Set<String> methods = byTemplate.computeIfAbsent(sub == null ? base : base + sub.value(),
                        template -> new TreeSet<>(Set.of(HttpMethod.OPTIONS)));
                methods.add(verb);
                if (verb.equals(HttpMethod.GET)) {
                    methods.add(HttpMethod.HEAD); // JAX-RS answers HEAD for every GET
                }
            }
        }
        return byTemplate.entrySet().stream().map(e -> new Route(template(e.getKey()), e.getValue())).toList();
    }

    private static String verb(Method method) {
        for (var annotation : method.getAnnotations()) {
            HttpMethod verb = annotation.annotationType().getAnnotation(HttpMethod.class);
            if (verb != null) {
                return verb.value();
            }
        }
        return null;
    }

    /** {@code /a/{id}/b} → a pattern where each {@code {…}} is one path segment. */
    private static Pattern template(String template) {
        StringBuilder regex = new StringBuilder();
        for (String part : template.split("\\{[^}]+}", -1)) {
            if (!regex.isEmpty()) {
                regex.append("[^/]+");
            }
            regex.append(Pattern.quote(part));
        }
        return Pattern.compile(regex.toString());
    }
}
