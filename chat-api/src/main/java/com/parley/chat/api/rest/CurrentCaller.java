package com.parley.chat.api.rest;

import java.util.Set;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.jwt.JsonWebToken;

import com.parley.chat.api.service.Caller;
import com.parley.chat.api.service.Problems;

/** Turns the verified token into a {@link Caller} of the path's tenant. */
@RequestScoped
public class CurrentCaller {

    @Inject
    JsonWebToken token;

    public Caller in(String pathTenant) {
        if (token == null || token.getRawToken() == null) {
            throw Problems.unauthorized("A bearer token is required.");
        }
        Object claim = token.getClaim("tenant");
        if (claim != null && !(claim instanceof String)) { // a list (a "multivalued" mapper), a number
            throw Problems.unauthorized("The token's tenant claim must be one string.");
        }
        String tenant = (String) claim;
        Set<String> groups = token.getGroups() == null ? Set.of() : token.getGroups();
        Caller caller = Caller.of(tenant, token.getSubject(), groups, displayName());
        if (!caller.tenantId().equals(pathTenant)) {
            throw Problems.tenantMismatch();
        }
        return caller;
    }

    /**
     * The token's OIDC {@code name} claim as others may be shown it: one line of up to 100 characters
     * of text; anything else (absent, not a string, blank, control characters) is no name. The
     * gateways read it by the same rule for presence ({@code TokenVerifier.displayName}).
     */
    private String displayName() {
        if (token == null || !(token.getClaim("name") instanceof String raw)) {
            return null;
        }
        String name = raw.strip();
        boolean text = name.codePoints().noneMatch(c -> Character.isISOControl(c)
                || Character.getType(c) == Character.SURROGATE || Character.getType(c) == Character.FORMAT);
        return !name.isEmpty() && name.length() <= 100 && text ? name : null;
    }
}
