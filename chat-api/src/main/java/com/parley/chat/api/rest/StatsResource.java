package com.parley.chat.api.rest;

import java.time.Instant;

import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import com.parley.chat.api.service.Caller;
import com.parley.chat.api.service.Problems;

import io.quarkus.security.Authenticated;

@Path("/api/tenants/{tenantId}/stats")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "stats")
@SecurityRequirement(name = "SecurityScheme")
public class StatsResource {

    /** Open and unclaimed sessions, and since when the oldest unclaimed one waits (null: none). */
    public record SessionFigures(long openSessions, long unclaimedSessions, Instant oldestUnclaimedSince) {
    }

    @Inject
    CurrentCaller currentCaller;

    @Inject
    EntityManager entityManager;

    @GET
    @Transactional
    @Operation(summary = "The tenant's session figures (admin)", description = "What the gateways' stats channel "
            + "shows besides its own figures: open and unclaimed sessions and the oldest unclaimed one's start.")
    public SessionFigures figures(@PathParam("tenantId") String tenantId) {
        Caller caller = currentCaller.in(tenantId);
        if (caller.role() != com.parley.chat.api.domain.Role.ADMIN) {
            throw Problems.forbidden("Only admins see the tenant's figures.");
        }
        Object[] row = (Object[]) entityManager.createNativeQuery("""
                select count(*) filter (where status = 'open'),
                       count(*) filter (where status = 'open' and claimed_by is null),
                       min(created_at) filter (where status = 'open' and claimed_by is null)
                from sessions where tenant_id = ?1""").setParameter(1, caller.tenantId()).getSingleResult();
        return new SessionFigures(((Number) row[0]).longValue(), ((Number) row[1]).longValue(),
                row[2] == null ? null : toInstant(row[2]));
    }

    private static Instant toInstant(Object value) {
        return switch (value) {
            case Instant instant -> instant;
            case java.sql.Timestamp timestamp -> timestamp.toInstant();
            case java.time.OffsetDateTime odt -> odt.toInstant();
            default -> Instant.parse(value.toString());
        };
    }
}
