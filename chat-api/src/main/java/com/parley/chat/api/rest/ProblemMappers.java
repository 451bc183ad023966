package com.parley.chat.api.rest;

import java.net.ConnectException;
import java.sql.SQLException;
import java.util.Map;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.hibernate.exception.JDBCConnectionException;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.parley.chat.api.service.ProblemException;
import com.parley.chat.api.service.Problems;

import io.quarkus.logging.Log;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;

/**
 * Every error leaves here as application/problem+json with a stable type; no stack trace or SQL
 * text reaches a client.
 */
public class ProblemMappers {

    @ServerExceptionMapper
    public Response problem(ProblemException e, UriInfo uri) {
        Response response = new Problem(e.type(), e.title(), e.status(), e.detail(), path(uri), e.extensions())
                .toResponse();
        if (e.status() == 401) {
            return withChallenge(response);
        }
        if (e.extensions().get("retry_after") instanceof Long seconds) {
            return Response.fromResponse(response).header("Retry-After", Long.toString(seconds)).build();
        }
        return response;
    }

    @ServerExceptionMapper({UnauthorizedException.class, AuthenticationFailedException.class})
    public Response unauthorized(RuntimeException e, UriInfo uri) {
        return withChallenge(new Problem(Problems.BASE + "unauthorized", "Authentication required", 401,
                "A valid bearer token of this platform's identity provider is required.", path(uri), null)
                .toResponse());
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e, UriInfo uri) {
        return new Problem(Problems.BASE + "forbidden", "Forbidden", 403, "The caller may not do this.", path(uri),
                null).toResponse();
    }

    @ServerExceptionMapper({JsonProcessingException.class, JsonParseException.class,
            MismatchedInputException.class, InvalidFormatException.class, UnrecognizedPropertyException.class})
    public Response malformedJson(JsonProcessingException e, UriInfo uri) {
        String detail = "The body is not valid JSON.";
        Map<String, Object> extensions = null;
        String duplicate = duplicateField(e);
        if (duplicate != null) {
            detail = "The body names '" + duplicate + "' more than once.";
            extensions = Map.of("field", duplicate);
        } else if (e instanceof UnrecognizedPropertyException unknown) {
            detail = "Unknown field '" + unknown.getPropertyName() + "'.";
            extensions = Map.of("field", unknown.getPropertyName());
        } else if (e.getOriginalMessage() != null && e.getOriginalMessage().startsWith("Trailing token")) {
            detail = "The body holds more than one JSON value; send one object."; // OneValuePerBody
        } else if (e instanceof InvalidFormatException || e instanceof MismatchedInputException) {
            MismatchedInputException mismatch = (MismatchedInputException) e;
            String field = mismatch.getPath().isEmpty() ? null : mismatch.getPath().get(0).getFieldName();
            detail = field == null ? "The body does not have the expected shape."
                    : "Field '" + field + "' has the wrong type.";
            extensions = field == null ? null : Map.of("field", field);
        }
        return new Problem(Problems.BASE + "malformed-body", "Malformed request body", 400, detail, path(uri),
                extensions).toResponse();
    }

    /** The field a body names twice, as Jackson's duplicate detection reports it; null for any other fault. */
    private static String duplicateField(JsonProcessingException e) {
        String message = e.getOriginalMessage();
        String prefix = "Duplicate field '";
        return message != null && message.startsWith(prefix) && message.endsWith("'")
                ? message.substring(prefix.length(), message.length() - 1) : null;
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e, UriInfo uri) {
        int status = e.getResponse().getStatus();
        if (e.getCause() instanceof JsonProcessingException json) {
            return malformedJson(json, uri);
        }
        String slug = switch (status) {
            case 400 -> "bad-request";
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 404 -> "not-found";
            case 405 -> "method-not-allowed";
            case 406 -> "not-acceptable";
            case 413 -> "payload-too-large";
            case 415 -> "unsupported-media-type";
            default -> status >= 500 ? "internal-error" : "http-" + status;
        };
        Response.Status known = Response.Status.fromStatusCode(status);
        String title = known == null ? "HTTP " + status : known.getReasonPhrase();
        String detail = status == 415 ? "Send the body as application/json." : title + ".";
        Response.ResponseBuilder builder = Response.status(status).type(Problem.MEDIA_TYPE)
                .entity(new Problem(Problems.BASE + slug, title, status, detail, path(uri), null));
        if (status == 405) {
            AllowedMethods.at(uri.getPath()).ifPresent(allow -> builder.header(HttpHeaders.ALLOW, allow));
        }
        return builder.build();
    }

    @ServerExceptionMapper(priority = jakarta.ws.rs.Priorities.USER + 100)
    public Response unexpected(Throwable e, UriInfo uri) {
        if (isDatabaseUnavailable(e)) {
            Log.warnf("database unavailable on %s: %s", path(uri), e.getClass().getSimpleName());
            return Response.fromResponse(new Problem(Problems.BASE + "service-unavailable", "Service unavailable",
                    503, "The database is not reachable right now; retry shortly.", path(uri), null).toResponse())
                    .header("Retry-After", "5").build();
        }
        Log.errorf(e, "unexpected failure on %s", path(uri));
        return new Problem(Problems.BASE + "internal-error", "Internal server error", 500,
                "Something went wrong on our side; it was logged.", path(uri), null).toResponse();
    }

    static boolean isDatabaseUnavailable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof JDBCConnectionException || t instanceof ConnectException) {
                return true;
            }
            if (t instanceof SQLException sql) {
                String state = sql.getSQLState();
                String message = String.valueOf(sql.getMessage());
                if ((state != null && (state.startsWith("08") || state.startsWith("57P")))
                        // Agroal says "Sorry, acquisition timeout!": a pool with no free connection
                        || message.toLowerCase(java.util.Locale.ROOT).contains("acquisition timeout")
                        || message.contains("Connection refused")) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String path(UriInfo uri) {
        return uri == null ? null : uri.getPath();
    }

    private static Response withChallenge(Response response) {
        return Response.fromResponse(response).header(HttpHeaders.WWW_AUTHENTICATE, "Bearer").build();
    }
}
