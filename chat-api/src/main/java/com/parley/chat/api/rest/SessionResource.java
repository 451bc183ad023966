package com.parley.chat.api.rest;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.ToLongFunction;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.parley.chat.api.config.ChatApiConfig;
import com.parley.chat.api.domain.ChatSession;
import com.parley.chat.api.domain.Message;
import com.parley.chat.api.domain.SessionEvent;
import com.parley.chat.api.domain.SessionStatus;
import com.parley.chat.api.rest.Views.CreateSessionRequest;
import com.parley.chat.api.rest.Views.EventPage;
import com.parley.chat.api.rest.Views.MessagePage;
import com.parley.chat.api.rest.Views.MessageView;
import com.parley.chat.api.rest.Views.PostMessageRequest;
import com.parley.chat.api.rest.Views.RatingRequest;
import com.parley.chat.api.rest.Views.ReadRequest;
import com.parley.chat.api.rest.Views.SessionPage;
import com.parley.chat.api.rest.Views.SessionView;
import com.parley.chat.api.rest.Views.StatusChangeRequest;
import com.parley.chat.api.rest.Views.TransferRequest;
import com.parley.chat.api.service.Caller;
import com.parley.chat.api.service.ClaimService;
import com.parley.chat.api.service.MessageService;
import com.parley.chat.api.service.Problems;
import com.parley.chat.api.service.ReadStates;
import com.parley.chat.api.service.SessionService;
import com.parley.chat.api.service.SessionWrites;
import com.parley.chat.api.service.SubscriptionTokens;

import io.quarkus.security.Authenticated;

@Path("/api/tenants/{tenantId}/sessions")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "sessions", description = "Chats between a customer and the tenant's staff: start, list, claim,"
        + " close; their messages and history")
@SecurityRequirement(name = "SecurityScheme")
public class SessionResource {

    @Inject
    CurrentCaller currentCaller;

    @Inject
    SessionService sessions;

    @Inject
    MessageService messages;

    @Inject
    SessionWrites sessionWrites;

    @Inject
    ClaimService claims;

    @Inject
    ReadStates readStates;

    @Inject
    ChatApiConfig config;

    @Inject
    SubscriptionTokens subscriptionTokens;

    @Inject
    ObjectMapper json;

    @POST
    @Operation(operationId = "createSession",
            summary = "Start a session", description = "A customer starts a chat for themselves; staff and "
            + "services may name the customer in customer_user_id. Emits SessionCreated (seq 1).")
    @APIResponse(responseCode = "201", description = "Started; Location names it, subscription_token admits "
            + "its participant on any gateway", content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = SessionView.class)))
    public Response create(@PathParam("tenantId") String tenantId, CreateSessionRequest body) {
        Caller caller = currentCaller.in(tenantId);
        CreateSessionRequest request = body == null ? new CreateSessionRequest(null, null) : body;
        ChatSession session = sessions.create(caller, request.customerUserId(), request.metadata());
        return Response.status(Response.Status.CREATED)
                .header("Location", "/api/tenants/" + tenantId + "/sessions/" + session.id)
                .entity(SessionView.of(session, 0L, subscriptionTokens.issue(caller, session.id),
                        sessions.queuePosition(session))).build();
    }

    @GET
    @Operation(operationId = "listSessions",
            summary = "List sessions", description = "Staff see every session of the tenant, a customer "
            + "their own; newest activity first. claim=unclaimed is the queue (oldest first), claim=mine "
            + "the caller's, claim=claimed every held one; customer_user_id one customer's sessions (staff; "
            + "a customer naming anyone but themselves gets none); q the sessions with a message that contains "
            + "the text, or whose customer's name does, or (staff, services) a note on them, in any case. Each carries "
            + "the caller's unread_count. "
            + "Page on with cursor=next_cursor: each session once, however many start meanwhile (page=N "
            + "shifts with them).")
    public SessionPage list(@PathParam("tenantId") String tenantId, @QueryParam("status") String status,
            @QueryParam("claim") String claim, @QueryParam("customer_user_id") String customer,
            @Parameter(description = "text to look for in the sessions' messages, customer names and (staff) notes")
            @QueryParam("q") String rawText,
            @Parameter(schema = @Schema(type = SchemaType.INTEGER)) @QueryParam("page") String rawPage,
            @Parameter(schema = @Schema(type = SchemaType.INTEGER)) @QueryParam("size") String size,
            @Parameter(description = "next_cursor of the page before") @QueryParam("cursor") String rawCursor) {
        Caller caller = currentCaller.in(tenantId);
        SessionStatus filter = status == null ? null
                : SessionStatus.fromWire(status).orElseThrow(
                        () -> Problems.badRequest("status must be one of open, closed, resolved."));
        ChatSession.ClaimFilter claimFilter = claimFilter(claim);
        int pageSize = pageSize(size, "size", config.paging().defaultSize(), config.paging().maxSize());
        Long requestedPage = wholeNumber(rawPage, "page");
        long page = requestedPage == null ? 0 : requestedPage;
        if (page < 0 || page > Integer.MAX_VALUE / pageSize) {
            throw Problems.badRequest("page must be 0 or more, and page × size within range.");
        }
        if (rawCursor != null && requestedPage != null) {
            throw Problems.badRequest("Page with cursor or with page, not both.");
        }
        ChatSession.Position after = rawCursor == null ? null : SessionCursor.parse(rawCursor, claimFilter);
        String text = searchText(rawText);
        // one extra row tells whether another page follows
        List<ChatSession> found = sessions.list(caller, customer, filter, claimFilter, text, after,
                (int) page * pageSize, pageSize + 1);
        boolean hasMore = found.size() > pageSize;
        List<ChatSession> shown = found.stream().limit(pageSize).toList();
        Map<UUID, Long> unread = readStates.unreadCounts(caller, shown.stream().map(s -> s.id).toList());
        List<SessionView> items = shown.stream()
                .map(s -> SessionView.of(s, unread.getOrDefault(s.id, 0L), null)).toList();
        String nextCursor = hasMore ? SessionCursor.of(claimFilter, shown.getLast().positionIn(claimFilter)) : null;
        return new SessionPage(items, after == null ? Integer.valueOf((int) page) : null, pageSize, hasMore,
                nextCursor);
    }

    @GET
    @Path("/{sessionId}")
    @Operation(operationId = "getSession",
            summary = "Get a session", description = "404 for a session the caller may not see. Carries the "
            + "caller's subscription_token: subscribe with it on any gateway instance; while it is open and "
            + "nobody holds it, its queue_position (1: next in the tenant's queue, oldest first).")
    public SessionView get(@PathParam("tenantId") String tenantId, @PathParam("sessionId") UUID sessionId) {
        Caller caller = currentCaller.in(tenantId);
        ChatSession session = sessions.get(caller, sessionId);
        return SessionView.of(session, readStates.unreadCounts(caller, List.of(session.id)).getOrDefault(session.id, 0L),
                subscriptionTokens.issue(caller, session.id), sessions.queuePosition(session));
    }

    @PATCH
    @Path("/{sessionId}")
    @Operation(operationId = "changeSessionStatus",
            summary = "Close or resolve a session (staff)", description = "open → closed | resolved. "
            + "Emits SessionStatusChanged.")
    public SessionView changeStatus(@PathParam("tenantId") String tenantId, @PathParam("sessionId") UUID sessionId,
            StatusChangeRequest body) {
        Caller caller = currentCaller.in(tenantId);
        if (body == null || body.status() == null) {
            throw Problems.validation("status is required.", "status");
        }
        SessionStatus target = SessionStatus.fromWire(body.status())
                .orElseThrow(() -> Problems.validation("status must be closed or resolved.", "status"));
        return SessionView.of(sessionWrites.inTurn(sessionId, () -> sessions.changeStatus(caller, sessionId, target)));
    }

    @PUT
    @Path("/{sessionId}/rating")
    @Operation(operationId = "rateSession",
            summary = "Rate a chat that ended (its customer)", description = "rating: good or bad, once the "
            + "session is closed or resolved (409 session-still-open before); the customer may change it, and "
            + "the same rating again changes nothing. 200 with the session. Emits SessionRated.")
    public SessionView rate(@PathParam("tenantId") String tenantId, @PathParam("sessionId") UUID sessionId,
            RatingRequest body) {
        Caller caller = currentCaller.in(tenantId);
        String rating = body == null ? null : body.rating(); // the service says what a rating must be
        return SessionView.of(sessionWrites.inTurn(sessionId, () -> sessions.rate(caller, sessionId, rating)));
    }

    @POST
    @Path("/{sessionId}/claim")
    @Consumes(MediaType.WILDCARD) // no body: whatever a client declares
    @Operation(operationId = "claimSession",
            summary = "Claim a session (staff)", description = "The caller holds the session afterwards: "
            + "200 with the session; 409 session-claimed when another staff member holds it, unless an admin "
            + "passes take_over=true. Claiming one's own session again changes nothing. Emits SessionClaimed.")
    public SessionView claim(@PathParam("tenantId") String tenantId, @PathParam("sessionId") UUID sessionId,
            @Parameter(schema = @Schema(type = SchemaType.BOOLEAN)) @QueryParam("take_over") String rawTakeOver) {
        Caller caller = currentCaller.in(tenantId);
        boolean takeOver = switch (rawTakeOver == null ? "false" : rawTakeOver) {
            case "false" -> false;
            case "true" -> true;
            default -> throw Problems.badRequest("take_over must be true or false.");
        };
        return SessionView.of(sessionWrites.inTurn(sessionId, () -> claims.claim(caller, sessionId, takeOver)));
    }

    @DELETE
    @Path("/{sessionId}/claim")
    @Consumes(MediaType.WILDCARD)
    @Operation(operationId = "releaseSession",
            summary = "Release a session (its holder or an admin)", description = "Nobody holds it afterwards. "
            + "Emits SessionReleased. A closed or resolved session keeps its holder: 409 session-not-open.")
    public SessionView release(@PathParam("tenantId") String tenantId, @PathParam("sessionId") UUID sessionId) {
        Caller caller = currentCaller.in(tenantId);
        return SessionView.of(sessionWrites.inTurn(sessionId, () -> claims.release(caller, sessionId)));
    }

    @POST
    @Path("/{sessionId}/transfer")
    @Operation(operationId = "transferSession",
            summary = "Transfer a session to another staff member (its holder or an admin)",
            description = "to_user_id holds it afterwards. Emits SessionClaimed with previous.")
    public SessionView transfer(@PathParam("tenantId") String tenantId, @PathParam("sessionId") UUID sessionId,
            TransferRequest body) {
        Caller caller = currentCaller.in(tenantId);
        String to = body == null ? null : body.toUserId();
        return SessionView.of(sessionWrites.inTurn(sessionId, () -> claims.transfer(caller, sessionId, to)));
    }

    @PUT
    @Path("/{sessionId}/read")
    @Operation(operationId = "markSessionRead",
            summary = "Mark the session read up to a seq", description = "Per participant; the cursor "
            + "never moves backwards (an older up_to_seq keeps the newer one) and up_to_seq beyond the "
            + "session's last seq is 422. Answers the cursor and the caller's unread_count.")
    public ReadStates.ReadState read(@PathParam("tenantId") String tenantId, @PathParam("sessionId") UUID sessionId,
            ReadRequest body) {
        return readStates.markRead(currentCaller.in(tenantId), sessionId, body == null ? null : body.upToSeq());
    }

    @GET
    @Path("/{sessionId}/reads")
    @Operation(operationId = "listSessionReads",
            summary = "How far each participant has read", description = "Each participant's read cursor "
            + "(user_id, role, last_read_seq, read_at), the furthest first: what a page opening later "
            + "shows as seen. role is absent for a participant other than the customer who last read before "
            + "2026-12-06.")
    public Views.Reads reads(@PathParam("tenantId") String tenantId, @PathParam("sessionId") UUID sessionId) {
        return new Views.Reads(readStates.reads(currentCaller.in(tenantId), sessionId));
    }

    @POST
    @Path("/{sessionId}/messages")
    @Operation(operationId = "postMessage",
            summary = "Post a message", description = "Idempotent on client_message_id: a retry answers "
            + "200 with the first message instead of 201. The role comes from the token. Emits MessageCreated.")
    @APIResponse(responseCode = "201", description = "Stored", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = MessageView.class)))
    @APIResponse(responseCode = "200", description = "Stored before under this client_message_id by the caller: "
            + "the first message", content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = MessageView.class)))
    public Response post(@PathParam("tenantId") String tenantId, @PathParam("sessionId") UUID sessionId,
            PostMessageRequest body) {
        Caller caller = currentCaller.in(tenantId);
        if (body == null) {
            throw Problems.validation("A JSON body with content is required.", "content");
        }
        MessageService.Posted posted = sessionWrites.inTurn(sessionId,
                () -> messages.post(caller, sessionId, body.content(), body.clientMessageId(), body.metadata()));
        Message message = posted.message();
        return Response.status(posted.created() ? Response.Status.CREATED : Response.Status.OK)
                .header("Location", "/api/tenants/" + tenantId + "/sessions/" + sessionId + "/messages/" + message.id)
                .entity(MessageView.of(message)).build();
    }

    @GET
    @Path("/{sessionId}/messages")
    @Operation(operationId = "listMessages",
            summary = "List messages", description = "In seq order after after_seq; deleted messages are "
            + "listed with empty content and deleted=true.")
    public MessagePage messages(@PathParam("tenantId") String tenantId, @PathParam("sessionId") UUID sessionId,
            @Parameter(schema = @Schema(type = SchemaType.INTEGER, format = "int64")) @QueryParam("after_seq")
            String rawAfterSeq,
            @Parameter(schema = @Schema(type = SchemaType.INTEGER)) @QueryParam("limit") String limit) {
        Caller caller = currentCaller.in(tenantId);
        long afterSeq = afterSeq(rawAfterSeq);
        int pageSize = pageSize(limit, "limit", config.paging().maxSize(), config.paging().maxSize());
        SeqPage<Message> page = SeqPage.of(messages.list(caller, sessionId, afterSeq, pageSize + 1), pageSize,
                afterSeq, m -> m.seq);
        long next = page.items().isEmpty() ? Math.min(afterSeq, sessions.get(caller, sessionId).lastSeq) : page.next();
        return new MessagePage(page.items().stream().map(MessageView::of).toList(), page.hasMore(), next);
    }

    @GET
    @Path("/{sessionId}/messages/{messageId}")
    @Operation(operationId = "getMessage",
            summary = "Get a message", description = "What a post's Location names. A deleted message is "
            + "returned with empty content and deleted=true.")
    public MessageView message(@PathParam("tenantId") String tenantId, @PathParam("sessionId") UUID sessionId,
            @PathParam("messageId") UUID messageId) {
        return MessageView.of(messages.get(currentCaller.in(tenantId), sessionId, messageId));
    }

    @DELETE
    @Path("/{sessionId}/messages/{messageId}")
    @Operation(operationId = "deleteMessage",
            summary = "Delete a message (soft)", description = "Its author or staff. Emits MessageDeleted; "
            + "the content is blanked in history too.")
    @APIResponse(responseCode = "204", description = "Deleted (again: deleting a deleted message is no error)")
    public Response delete(@PathParam("tenantId") String tenantId, @PathParam("sessionId") UUID sessionId,
            @PathParam("messageId") UUID messageId) {
        Caller caller = currentCaller.in(tenantId);
        sessionWrites.inTurn(sessionId, () -> {
            messages.delete(caller, sessionId, messageId);
            return null;
        });
        return Response.noContent().build();
    }

    @GET
    @Path("/{sessionId}/events")
    @Operation(operationId = "listSessionEvents",
            summary = "Session history", description = "Every event of the session with seq > after_seq, "
            + "in order, as on Kafka. Page with next_after_seq while has_more.")
    public EventPage events(@PathParam("tenantId") String tenantId, @PathParam("sessionId") UUID sessionId,
            @Parameter(schema = @Schema(type = SchemaType.INTEGER, format = "int64")) @QueryParam("after_seq")
            String rawAfterSeq,
            @Parameter(schema = @Schema(type = SchemaType.INTEGER)) @QueryParam("limit") String limit) {
        Caller caller = currentCaller.in(tenantId);
        long afterSeq = afterSeq(rawAfterSeq);
        int pageSize = pageSize(limit, "limit", config.paging().maxHistoryPage(), config.paging().maxHistoryPage());
        SeqPage<SessionEvent> page = SeqPage.of(sessions.history(caller, sessionId, afterSeq, pageSize + 1),
                pageSize, afterSeq, e -> e.seq);
        List<JsonNode> events = page.items().stream().map(e -> readTree(e.payload)).toList();
        long lastSeq = sessions.get(caller, sessionId).lastSeq;
        // a cursor beyond the session's last seq (its database restored to an earlier point) goes on
        // from the last seq: the session's next events reuse the seqs the client held
        return new EventPage(sessionId, events, page.hasMore(), Math.min(page.next(), lastSeq), lastSeq);
    }

    /** One page of rows in seq order, read with one row more than the page to know whether more follow. */
    private record SeqPage<T>(List<T> items, boolean hasMore, long next) {
        static <T> SeqPage<T> of(List<T> found, int pageSize, long afterSeq, ToLongFunction<T> seq) {
            List<T> items = found.subList(0, Math.min(pageSize, found.size()));
            return new SeqPage<>(items, found.size() > pageSize,
                    items.isEmpty() ? afterSeq : seq.applyAsLong(items.get(items.size() - 1)));
        }
    }

    private JsonNode readTree(String payload) {
        try {
            return json.readTree(payload);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("stored event is not JSON", e);
        }
    }

    /**
     * A whole-number query parameter, or null when absent. The numeric parameters are read as text
     * and converted here: JAX-RS answers a value it cannot convert with 404, which says the session
     * does not exist; a client that sent {@code limit=ten} should hear what is wrong instead.
     */
    private static Long wholeNumber(String raw, String name) {
        if (raw == null || raw.isEmpty()) {
            return null;
        }
        try {
            return Long.parseLong(raw);
        } catch (NumberFormatException e) {
            throw Problems.badRequest(name + " must be a whole number.");
        }
    }

    private static long afterSeq(String raw) {
        Long afterSeq = wholeNumber(raw, "after_seq");
        if (afterSeq == null) {
            return 0;
        }
        if (afterSeq < 0) {
            throw Problems.badRequest("after_seq must be 0 or more.");
        }
        return afterSeq;
    }

    private static int pageSize(String raw, String name, int defaultSize, int max) {
        Long requested = wholeNumber(raw, name);
        if (requested == null) {
            return defaultSize;
        }
        if (requested < 1 || requested > max) {
            throw Problems.badRequest("The page size must be between 1 and " + max + ".");
        }
        return requested.intValue();
    }

    /**
     * The text of {@code q}, trimmed; none when absent or blank (a search form sent empty lists
     * everything, as without it). Longer than the limit is a 400.
     */
    private String searchText(String raw) {
        String text = raw == null ? "" : raw.strip();
        int max = config.paging().maxSearchLength();
        if (text.length() > max) {
            throw Problems.badRequest("q must be at most " + max + " characters of text to look for.");
        }
        return text.isEmpty() ? null : text;
    }

    private static ChatSession.ClaimFilter claimFilter(String claim) {
        if (claim == null) {
            return ChatSession.ClaimFilter.ANY;
        }
        return switch (claim) {
            case "unclaimed" -> ChatSession.ClaimFilter.UNCLAIMED;
            case "claimed" -> ChatSession.ClaimFilter.CLAIMED;
            case "mine" -> ChatSession.ClaimFilter.MINE;
            default -> throw Problems.badRequest("claim must be one of unclaimed, claimed, mine.");
        };
    }
}
