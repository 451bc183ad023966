package com.parley.chat.api.service;

/** The placeholders of rows in a native statement, numbered from 1: {@code (?1, ?2), (?3, ?4)}. */
final class NativeRows {

    /** Statements that name many rows take at most this many at a time. */
    static final int PER_STATEMENT = 500;

    private NativeRows() {
    }

    /** {@code rows} rows of {@code columns} placeholders each; row {@code r}'s column {@code c} is {@code r * columns + c + 1}. */
    static String of(int rows, int columns) {
        StringBuilder sql = new StringBuilder();
        for (int row = 0; row < rows; row++) {
            sql.append(row == 0 ? "(" : ", (");
            for (int column = 0; column < columns; column++) {
                sql.append(column == 0 ? "?" : ", ?").append(row * columns + column + 1);
            }
            sql.append(')');
        }
        return sql.toString();
    }
}
