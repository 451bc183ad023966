package com.parley.chat.gateway.client;

import java.util.concurrent.CompletionStage;

/** What a client needs of its transport (WebSocket or SSE): write a frame, close. */
public interface Transport {

    /** Writes one JSON frame; {@code seq} is 0 for frames outside the session's sequence. */
    CompletionStage<Void> write(String frame, long seq);

    /** Closes with a WebSocket close code and reason (SSE just ends the stream). */
    void close(int code, String reason);

    String kind();
}
