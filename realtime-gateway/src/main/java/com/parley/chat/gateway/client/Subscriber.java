package com.parley.chat.gateway.client;

import com.parley.chat.gateway.auth.Caller;
import com.parley.chat.gateway.hub.EventFrame;

/** A local connection the hub fans events out to. */
public interface Subscriber {

    String connectionId();

    Caller caller();

    void deliver(EventFrame event);

    /** A frame outside the session's sequence (typing, presence, read receipts). */
    void deliverSignal(String frame);

    void close(int code, String reason);
}
