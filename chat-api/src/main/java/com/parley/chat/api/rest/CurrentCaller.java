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
        Caller caller = Caller.of(tenant, token.getSubject(), groups);
        if (!caller.tenantId().equals(pathTenant)) {
            throw Problems.tenantMismatch();
        }
        return caller;
    }
}
