package com.parley.chat.api.domain;

import java.sql.SQLException;

/**
 * A statement of plain JDBC failed (the database is away, a constraint, a timeout); the cause is
 * the driver's exception, which the REST layer reads to answer 503 when the database is unreachable.
 */
public final class DatabaseFailure extends RuntimeException {

    public DatabaseFailure(SQLException cause) {
        super(cause.getMessage(), cause);
    }
}
