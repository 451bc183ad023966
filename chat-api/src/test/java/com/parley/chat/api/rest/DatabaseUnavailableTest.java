package com.parley.chat.api.rest;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;

import org.junit.jupiter.api.Test;

/** Which failures mean "the database is not there for us right now" (503 with Retry-After), not a bug (500). */
class DatabaseUnavailableTest {

    @Test
    void aPoolWithNoFreeConnectionIsUnavailableNotAnInternalError() {
        // what Agroal throws when every pool connection is taken for acquisition-timeout
        assertTrue(ProblemMappers.isDatabaseUnavailable(new RuntimeException(
                new SQLException("Sorry, acquisition timeout!"))));
        assertTrue(ProblemMappers.isDatabaseUnavailable(new SQLException("connection failure", "08006")));
        assertFalse(ProblemMappers.isDatabaseUnavailable(new SQLException("duplicate key", "23505")));
    }
}
