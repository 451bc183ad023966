package com.parley.chat.gateway.protocol;

/** The size of a text frame on the wire (UTF-8), counted without encoding it. */
public final class WireSize {

    private WireSize() {
    }

    /** UTF-8 bytes of {@code s}: a surrogate pair is 4 bytes (2 per char). */
    public static long of(String s) {
        long bytes = s.length();
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                bytes += c < 0x800 || Character.isSurrogate(c) ? 1 : 2;
            }
        }
        return bytes;
    }
}
