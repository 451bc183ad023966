package com.parley.chat.gateway.sse;

import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import com.parley.chat.gateway.admission.AdmissionControl;
import com.parley.chat.gateway.admission.AdmissionControl.Target;
import com.parley.chat.gateway.auth.Caller;
import com.parley.chat.gateway.auth.TokenSources;
import com.parley.chat.gateway.client.ClientConnection;
import com.parley.chat.gateway.config.GatewayConfig;
import com.parley.chat.gateway.coordinator.Subscriptions;
import com.parley.chat.gateway.http.HttpProblems;
import com.parley.chat.gateway.protocol.Channel;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /sse/{tenantId}/session/{sessionId}}: the receive-only fallback. Same admission and
 * same delivery guarantee as the WebSocket; resumes after {@code Last-Event-ID} (or the
 * {@code last_event_id} / {@code last_seq} query parameter). Clients send through chat-api's REST.
 * {@code GET /sse/{tenantId}?channels=...}: several session channels on one stream.
 */
@ApplicationScoped
public class SseEndpoint {

    @Inject
    AdmissionControl admission;

    @Inject
    Subscriptions subscriptions;

    @Inject
    GatewayConfig config;

    @Inject
    Vertx vertx;

    void routes(@Observes Router router) {
        router.get("/sse/:tenantId/session/:sessionId").handler(this::openSession);
        router.get("/sse/:tenantId").handler(this::openChannels);
    }

    /** One session's stream: {@code id:} is the session's seq. */
    private void openSession(RoutingContext rc) {
        String tenantId = rc.pathParam("tenantId");
        String sessionId = rc.pathParam("sessionId");
        Resume resume = Resume.of(rc);
        Long lastSeq = resume.seq();
        if (lastSeq == null) {
            problem(rc.response(), 400, resume.name() + " must be a seq: a whole number of 0 or more, not '"
                    + quoted(resume.value()) + "'.");
            return;
        }
        stream(rc, Target.SESSION, sessionId, null, (connectionId, caller, transport) -> subscriptions.openSession(
                connectionId, caller, sessionId, lastSeq, transport));
    }

    /**
     * Several session channels on one receive-only stream: {@code ?channels=session:a,session:b}
     * (with {@code tokens=}, chat-api's subscription tokens in the same order, optional). Each
     * event's {@code id:} is the cursor of every channel ({@code a:12,b:5}), so the id the browser
     * sends back on a reconnect ({@code Last-Event-ID}, or {@code ?cursor=}) resumes each channel
     * from its own seq. A refused channel arrives as an {@code error} frame; the others go on.
     */
    private void openChannels(RoutingContext rc) {
        List<String> channels = list(rc.request().getParam("channels"));
        List<String> tokens = list(rc.request().getParam("tokens"));
        String lastEventId = rc.request().getHeader("Last-Event-ID");
        Map<String, Long> cursor = cursor(lastEventId != null ? lastEventId : rc.request().getParam("cursor"));
        String refusal = channelsRefusal(channels);
        if (refusal == null && cursor == null) {
            refusal = (lastEventId != null ? "Last-Event-ID" : "cursor") + " must be <session id>:<seq>,... with "
                    + "each seq a whole number of 0 or more (the id of an event of this stream).";
        }
        if (refusal != null) {
            problem(rc.response(), 400, refusal);
            return;
        }
        stream(rc, Target.CONNECTION, null, cursor, (connectionId, caller, transport) -> {
            ClientConnection client = subscriptions.open(connectionId, caller, transport);
            if (client != null) {
                for (int i = 0; i < channels.size(); i++) {
                    String sessionId = Channel.parse(channels.get(i)).sessionId();
                    String token = i < tokens.size() && !tokens.get(i).isEmpty() ? tokens.get(i) : null;
                    subscriptions.subscribe(client, channels.get(i), cursor.getOrDefault(sessionId, 0L), token);
                }
            }
            return client;
        });
    }

    /** Makes the client of an admitted stream (null when a limit refused it). */
    private interface Opener {
        ClientConnection open(String connectionId, Caller caller, SseTransport transport);
    }

    /**
     * Admits the request, then opens the event stream and the client {@code opener} makes of it;
     * a client that goes away while admission is under way is never registered.
     *
     * @param cursor the multi-channel stream's positions (its event ids carry them), or null
     */
    private void stream(RoutingContext rc, Target target, String sessionId, Map<String, Long> cursor, Opener opener) {
        String tenantId = rc.pathParam("tenantId");
        // a client that goes away while admission is under way must never be registered
        AtomicBoolean gone = new AtomicBoolean();
        rc.response().closeHandler(ignored -> gone.set(true));
        admission.admit(rc.request(), "sse", tenantId, target, sessionId).subscribe().with(result -> {
            HttpServerResponse response = rc.response();
            if (gone.get() || response.closed()) {
                return;
            }
            String allow = result.corsOrigin(rc.request().getHeader("Origin"));
            if (allow != null) { // an embedding site on an allowed origin reads the stream
                response.putHeader("Access-Control-Allow-Origin", allow).putHeader("Vary", "Origin");
            }
            if (!result.admitted()) {
                HttpProblems.send(response, result.status(), "sse-refused", "Refused", result.detail(), result.headers(),
                        result.reason());
                return;
            }
            TokenSources.forget(rc.request().headers()); // the stream's caller holds it
            response.setChunked(true)
                    .putHeader("Content-Type", "text/event-stream; charset=utf-8")
                    .putHeader("Cache-Control", "no-cache")
                    .putHeader("X-Accel-Buffering", "no");
            response.write("retry: 2000\n\n");
            SseTransport transport = new SseTransport(response, rc.request().connection(),
                    config.limits().closeGrace(), cursor);
            ClientConnection client = opener.open(UUID.randomUUID().toString(), result.caller(), transport);
            if (client == null) {
                return;
            }
            long keepAlive = vertx.setPeriodic(config.heartbeat().pingInterval().toMillis(), id -> transport.keepAlive());
            AtomicBoolean ended = new AtomicBoolean();
            Runnable end = () -> {
                if (ended.compareAndSet(false, true)) {
                    vertx.cancelTimer(keepAlive);
                    subscriptions.closed(client);
                }
            };
            response.closeHandler(ignored -> end.run());
            response.endHandler(ignored -> end.run());
            if (gone.get() || response.closed()) {
                end.run(); // it left between the checks above and the handlers
            }
        }, failure -> problem(rc.response(), 503, "Admission failed; retry."));
    }

    /** Why {@code channels} cannot open a stream, in a sentence; null when it can. */
    private String channelsRefusal(List<String> channels) {
        int most = config.limits().subscriptionsPerConnection();
        if (channels.isEmpty()) {
            return "channels must name the session channels to follow: ?channels=session:<id>,session:<id>,...";
        }
        if (channels.size() > most) {
            return "channels names " + channels.size() + " channels; a stream follows at most " + most + ".";
        }
        for (String name : channels) {
            Channel channel = Channel.parse(name);
            if (channel == null || channel.kind() != Channel.Kind.SESSION) {
                return "'" + quoted(name) + "' cannot be followed on a stream: only session channels "
                        + "(session:<id>); dashboard, operators and stats need the WebSocket.";
            }
        }
        if (new HashSet<>(channels).size() < channels.size()) {
            // each would be subscribed, and the stream would carry the channel's events twice
            return "channels must name each channel once.";
        }
        return null;
    }

    /** A value as a detail quotes it: one short line. */
    private static String quoted(String value) {
        String line = value.replaceAll("\\p{Cntrl}", "?");
        return line.length() > 40 ? line.substring(0, 40) + "…" : line;
    }

    private static List<String> list(String value) {
        if (value == null || value.isBlank()) {
            return List.of();
        }
        return Arrays.stream(value.split(",", -1)).map(String::trim).toList();
    }

    /** {@code <session id>:<seq>,...} → positions; null when malformed. */
    static Map<String, Long> cursor(String value) {
        Map<String, Long> cursor = new LinkedHashMap<>();
        if (value == null || value.isBlank()) {
            return cursor;
        }
        for (String entry : value.split(",")) {
            int colon = entry.lastIndexOf(':');
            if (colon <= 0) {
                return null;
            }
            try {
                long seq = Long.parseLong(entry.substring(colon + 1).trim());
                if (seq < 0) {
                    return null;
                }
                cursor.put(entry.substring(0, colon).trim(), seq);
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return cursor;
    }

    /** Where a session's stream resumes: {@code Last-Event-ID}, else {@code ?last_event_id=} or {@code ?last_seq=}. */
    private record Resume(String name, String value) {

        static Resume of(RoutingContext rc) {
            String header = rc.request().getHeader("Last-Event-ID");
            if (header == null) {
                for (String name : List.of("last_event_id", "last_seq")) {
                    if (rc.request().getParam(name) != null) {
                        return new Resume(name, rc.request().getParam(name));
                    }
                }
            }
            return new Resume("Last-Event-ID", header);
        }

        /** The seq after which to resume (0 when none is given), or null when the value is not one. */
        Long seq() {
            if (value == null || value.isBlank()) {
                return 0L;
            }
            try {
                long seq = Long.parseLong(value.trim());
                return seq < 0 ? null : seq;
            } catch (NumberFormatException e) {
                return null;
            }
        }
    }

    private static void problem(HttpServerResponse response, int status, String detail) {
        HttpProblems.send(response, status, "sse-refused", "Refused", detail, Map.of(), null);
    }
}
