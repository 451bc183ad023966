package com.parley.chat.gateway.coordinator;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.parley.chat.gateway.auth.Caller;
import com.parley.chat.gateway.auth.TokenVerifier;
import com.parley.chat.gateway.chatapi.ChatApiClient;
import com.parley.chat.gateway.client.ClientConnection;
import com.parley.chat.gateway.client.SessionSubscription;
import com.parley.chat.gateway.client.Subscription;
import com.parley.chat.gateway.config.GatewayConfig;
import com.parley.chat.gateway.presence.OperatorRoster;
import com.parley.chat.gateway.protocol.Channel;
import com.parley.chat.gateway.protocol.Disconnect;
import com.parley.chat.gateway.protocol.Frames;
import com.parley.chat.gateway.signal.SignalPublisher;

import io.quarkus.logging.Log;

/**
 * Client → server frames: subscribe, unsubscribe, message, typing, read, claim, status, ping, auth. A bad frame
 * gets an error frame and the connection stays usable; nothing a client sends can crash or block
 * the instance. {@code message}, {@code typing}, {@code read} and {@code claim} name their {@code channel}; on a
 * one-session socket they may leave it out.
 */
@ApplicationScoped
public class InboundFrames {

    @Inject
    Frames frames;

    @Inject
    GatewayConfig config;

    @Inject
    ChatApiClient chatApi;

    @Inject
    SignalPublisher signals;

    @Inject
    OperatorRoster operators;

    @Inject
    TokenVerifier verifier;

    @Inject
    Subscriptions subscriptions;

    /** The protocol is JSON text: a binary frame is answered as a malformed one, and counts against the rate. */
    public void handleBinary(ClientConnection client) {
        if (admitted(client)) {
            client.send(frames.error("malformed_frame", "Frames are JSON text; a binary frame is not read.", null));
        }
    }

    public void handle(ClientConnection client, String text) {
        if (!admitted(client)) {
            return;
        }
        if (text.length() > config.limits().maxFrameBytes()
                || text.getBytes(StandardCharsets.UTF_8).length > config.limits().maxFrameBytes()) {
            client.send(frames.error("frame_too_large",
                    "Frames are limited to " + config.limits().maxFrameBytes() + " bytes.", null));
            return;
        }
        Frames.ClientFrame parsed = frames.clientFrame(text);
        if (parsed.frame() == null) {
            client.send(frames.error("malformed_frame", parsed.fault(), null));
            return;
        }
        JsonNode frame = parsed.frame();
        String type = frame.path("type").asText("");
        switch (type) {
            case "ping" -> client.send(frames.frame("pong").toString());
            case "status" -> status(client, frame);
            case "auth" -> verifier.verifyWithoutWaiting(frame.path("token").asText(null)).subscribe().with(
                    fresh -> auth(client, fresh), failure -> {
                        Log.errorf(failure, "verifying a fresh token on %s", client.connectionId());
                        client.close(Disconnect.INTERNAL_ERROR);
                    });
            case "subscribe" -> subscribe(client, frame);
            case "unsubscribe" -> subscriptions.unsubscribe(client, text(frame, "channel"));
            case "message", "typing", "read", "claim" -> {
                SessionSubscription session = target(client, frame);
                if (session == null) {
                    client.send(frames.error("not_subscribed", "Name the channel (session:<id>) of a session"
                            + " this connection is subscribed to.", clientMessageId(frame), text(frame, "channel")));
                    return;
                }
                switch (type) {
                    case "message" -> message(session, frame);
                    case "typing" -> typing(session, frame);
                    case "claim" -> claim(session);
                    default -> read(session, frame);
                }
            }
            default -> client.send(frames.error("unknown_type", "Unknown frame type '" + abbreviate(type)
                    + "'; expected subscribe, unsubscribe, message, typing, read, claim, status, ping or auth.", null));
        }
    }

    private void subscribe(ClientConnection client, JsonNode frame) {
        JsonNode lastSeq = frame.get("last_seq");
        if (lastSeq != null && !lastSeq.isNull() && !isSeq(lastSeq)) {
            client.send(frames.channelError("invalid_subscribe", "last_seq must be a seq number.",
                    text(frame, "channel")));
            return;
        }
        Map<String, Long> sessions = dashboardSessions(frame.get("sessions"));
        if (sessions == null) {
            client.send(frames.channelError("invalid_subscribe", "sessions must be an object of session ids"
                    + " and their last seq numbers: {\"<session id>\": 12, ...}.", text(frame, "channel")));
            return;
        }
        JsonNode token = frame.get("token");
        subscriptions.subscribe(client, text(frame, "channel"), lastSeq == null ? 0 : lastSeq.asLong(),
                token != null && token.isTextual() ? token.asText() : null, sessions);
    }

    /**
     * A dashboard's {@code sessions}: {"<session id>": last_seq, ...}, at most
     * {@code dashboard-resume-sessions} of them (the rest start live); null when it is not such an
     * object or an entry is not a session id with a seq (the client would believe it replays them).
     */
    private Map<String, Long> dashboardSessions(JsonNode sessions) {
        if (sessions == null || sessions.isNull()) {
            return Map.of();
        }
        if (!sessions.isObject()) {
            return null;
        }
        Map<String, Long> resume = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : sessions.properties()) {
            if (Channel.parse("session:" + entry.getKey()) == null || !isSeq(entry.getValue())) {
                return null;
            }
            if (resume.size() < config.limits().dashboardResumeSessions()) {
                resume.put(entry.getKey(), entry.getValue().asLong());
            }
        }
        return resume;
    }

    /** The session subscription a frame is for: its channel, or a one-session socket's only session. */
    private static SessionSubscription target(ClientConnection client, JsonNode frame) {
        String channel = text(frame, "channel");
        if (channel != null) {
            return client.subscription(channel) instanceof SessionSubscription session ? session : null;
        }
        SessionSubscription only = null;
        for (Subscription subscription : client.subscriptions()) {
            if (subscription instanceof SessionSubscription session) {
                if (only != null) {
                    return null; // several: the frame must say which
                }
                only = session;
            }
        }
        return only;
    }

    /** A seq as a frame may carry it: a whole JSON number, 0 or more (not 1.5, not "1"). */
    private static boolean isSeq(JsonNode value) {
        return value.isIntegralNumber() && value.canConvertToLong() && value.asLong() >= 0;
    }

    /** A short text field, cut to a length fit for echoing back. */
    private static String text(JsonNode frame, String field) {
        JsonNode value = frame.get(field);
        return value != null && value.isTextual() ? abbreviate(value.asText()) : null;
    }

    /**
     * A fresh token for the same user and tenant extends the connection. One with another role
     * (a supporter demoted to a customer, say) is not a refresh: what the connection follows was
     * admitted for the old role, so it is closed with 4401 and comes back admitted for the new one.
     * A refresh is answered with when the connection now ends without another (its expiry and the
     * clock skew allowed), so a client need not take silence for success.
     */
    private void auth(ClientConnection client, Caller fresh) {
        if (fresh != null && fresh.tenantId().equals(client.caller().tenantId())
                && fresh.userId().equals(client.caller().userId()) && !fresh.role().equals(client.caller().role())) {
            client.close(Disconnect.ROLE_CHANGED);
            return;
        }
        if (!client.refresh(fresh)) {
            client.send(frames.error("invalid_token",
                    "The token is not valid or belongs to another user; the connection keeps its current token.",
                    null));
            return;
        }
        client.send(frames.expiry(frames.frame("authenticated").put("user_id", fresh.userId())
                .put("role", fresh.role()), fresh.expiresAt()).toString());
    }

    private void message(SessionSubscription session, JsonNode frame) {
        // the id goes to chat-api whole, which refuses one over its limit; error frames echo it abbreviated
        JsonNode id = frame.get("client_message_id");
        String wholeId = id != null && id.isTextual() ? id.asText() : null;
        String clientMessageId = wholeId == null ? null : abbreviate(wholeId);
        if (id != null && !id.isNull() && wholeId == null) {
            session.connection().send(frames.error("invalid_message", "client_message_id must be a string.", null,
                    session.channel()));
            return;
        }
        JsonNode content = frame.get("content");
        if (content == null || !content.isTextual()) {
            session.connection().send(frames.error("invalid_message", "content must be a string.", clientMessageId,
                    session.channel()));
            return;
        }
        // sent on as it is, half of a surrogate pair would reach chat-api as '?' (UTF-8 has no
        // encoding for it) and be stored so: refused with chat-api's own words instead
        String halfPair = holdsHalfAPair(content.asText()) ? "content"
                : wholeId != null && holdsHalfAPair(wholeId) ? "client_message_id" : null;
        if (halfPair != null) {
            session.connection().send(frames.error("validation_failed",
                    halfPair + " must be valid Unicode text (it holds half of a surrogate pair).", clientMessageId,
                    session.channel()));
            return;
        }
        // after the client's message before it was answered: stored, and given its seq, in the order sent
        boolean taken = session.posts().run(chatApi.postMessage(session.connection().caller(),
                session.session().sessionId(), content.asText(), wholeId).invoke(answer -> {
                    if (answer.ok()) {
                        JsonNode m = answer.body();
                        ObjectNode ack = frames.frame("message_ack", session.channel());
                        ack.put("client_message_id", m.path("client_message_id").asText(clientMessageId));
                        ack.put("message_id", m.path("id").asText());
                        ack.put("seq", m.path("seq").asLong());
                        ack.put("created_at", m.path("created_at").asText());
                        session.connection().send(ack.toString());
                    } else {
                        refused(session, answer, "chat-api refused the message.", clientMessageId);
                    }
                }).onFailure().invoke(failure -> session.connection().send(frames.error("unavailable",
                        "The message could not be stored right now; send it again with the same client_message_id.",
                        clientMessageId, session.channel()))));
        if (!taken) { // limits.messages-waiting wait for the one before them already (chat-api is slow)
            session.connection().send(frames.error("unavailable",
                    "Too many messages wait to be stored; send it again with the same client_message_id.",
                    clientMessageId, session.channel()));
        }
    }

    /**
     * A frame heard: every one takes a token of the inbound rate, whatever its size or kind (a large one
     * is no way around the rate); one over it is answered rate_limited (a flood closes the connection).
     */
    private boolean admitted(ClientConnection client) {
        client.heard();
        if (client.admitInbound()) {
            return true;
        }
        client.send(frames.error("rate_limited", "Too many frames; slow down.", null));
        return false;
    }

    /** Staff choose available, busy or away; the operators channel of every instance shows it. */
    private void status(ClientConnection client, JsonNode frame) {
        String status = text(frame, "status");
        if (!client.caller().isOperator()) {
            client.send(frames.error("forbidden", "Only staff have an operator status.", null));
        } else if (status == null || !OperatorRoster.STATUSES.contains(status)) {
            client.send(frames.error("invalid_status", "status must be available, busy or away.", null));
        } else {
            operators.choose(client.caller(), status);
        }
    }

    /** A chat-api refusal as an error frame: the problem type's last word is the code. */
    private void refused(SessionSubscription session, ChatApiClient.Answer answer, String fallback,
            String clientMessageId) {
        String problemType = answer.body().path("type").asText("");
        String code = problemType.isEmpty() ? "http_" + answer.status()
                : problemType.substring(problemType.lastIndexOf('/') + 1).replace('-', '_');
        ObjectNode error = (ObjectNode) frames.parse(frames.error(code, answer.body().path("detail").asText(fallback),
                clientMessageId, session.channel()));
        if (answer.body().hasNonNull("claimed_by")) {
            error.put("claimed_by", answer.body().get("claimed_by").asText());
        }
        if (answer.body().path("retry_after").canConvertToLong()) { // too_many_writes: when to send it again
            error.put("retry_after", answer.body().get("retry_after").asLong());
        }
        session.connection().send(error.toString());
    }

    /**
     * Staff claim the session through chat-api, which decides (the first claim wins); everyone
     * learns the outcome from the {@code session_claimed} frame of its event, the loser from a
     * {@code session_claimed} error frame naming the holder.
     */
    private void claim(SessionSubscription session) {
        chatApi.claim(session.connection().caller(), session.session().sessionId()).subscribe().with(answer -> {
            if (!answer.ok()) {
                refused(session, answer, "chat-api refused the claim.", null);
            }
        }, failure -> session.connection().send(frames.error("unavailable",
                "The claim could not be made right now; try again.", null, session.channel())));
    }

    private void typing(SessionSubscription session, JsonNode frame) {
        JsonNode isTyping = frame.get("is_typing");
        if (isTyping == null || !isTyping.isBoolean()) {
            session.connection().send(frames.error("invalid_typing", "is_typing must be true or false.", null,
                    session.channel()));
            return;
        }
        if (!session.typingSays(isTyping.asBoolean(), System.nanoTime())) {
            return; // a repeat: the others show the typist already
        }
        ObjectNode signal = signals.signal("typing", session.session());
        signal.put("connection_id", session.connection().connectionId())
                .put("user_id", session.connection().caller().userId())
                .put("role", session.connection().caller().participantRole()).put("is_typing", isTyping.asBoolean());
        signals.publish(session.session(), signal);
    }

    private void read(SessionSubscription session, JsonNode frame) {
        JsonNode upTo = frame.get("up_to_seq");
        if (upTo == null || !isSeq(upTo) || upTo.asLong() > session.lastSent()) {
            session.connection().send(frames.error("invalid_read", "up_to_seq must be the seq of an event this"
                    + " connection received.", null, session.channel()));
            return;
        }
        if (!session.advanceReadTo(upTo.asLong())) {
            return; // moves nothing: no receipt to the others, nothing to store again
        }
        ObjectNode signal = signals.signal("read", session.session());
        signal.put("connection_id", session.connection().connectionId())
                .put("user_id", session.connection().caller().userId())
                .put("role", session.connection().caller().participantRole()).put("up_to_seq", upTo.asLong());
        signals.publish(session.session(), signal);
        // stored too, so unread badges survive a reload; the receipt above does not wait for it
        chatApi.markRead(session.connection().caller(), session.session().sessionId(), upTo.asLong()).subscribe()
                .with(answer -> {
                    if (!answer.ok()) {
                        refused(session, answer, "chat-api did not store the read state.", null);
                    }
                }, failure -> Log.debugf("read state not stored: %s", failure.getMessage()));
    }

    private static String clientMessageId(JsonNode frame) {
        JsonNode id = frame.get("client_message_id");
        return id != null && id.isTextual() ? abbreviate(id.asText()) : null;
    }

    /** A UTF-16 surrogate without its other half: JSON's escapes can carry one, UTF-8 cannot. */
    private static boolean holdsHalfAPair(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    private static String abbreviate(String s) {
        return s.length() > 128 ? s.substring(0, 128) : s;
    }
}
