package com.parley.chat.api.domain;

import java.sql.Connection;
import java.sql.SQLException;

import javax.sql.DataSource;

/**
 * A local transaction of plain JDBC on a pooled connection, for the hot paths kept out of
 * Hibernate and the JTA transaction manager (a post, the outbox relay's pass): committed when the
 * work returns, rolled back when it throws. A driver's {@link SQLException} leaves as {@link
 * DatabaseFailure}.
 */
public final class LocalTransaction {

    /** Work on the transaction's connection. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    private LocalTransaction() {
    }

    public static <T> T call(DataSource dataSource, Work<T> work) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                T result = work.run(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                try {
                    connection.rollback();
                } catch (SQLException rollback) {
                    e.addSuppressed(rollback);
                }
                throw e;
            }
        } catch (SQLException e) {
            throw new DatabaseFailure(e);
        }
    }
}
