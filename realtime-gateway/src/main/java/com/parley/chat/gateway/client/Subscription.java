package com.parley.chat.gateway.client;

import com.parley.chat.gateway.protocol.Channel;
import com.parley.chat.gateway.protocol.EventFrame;

/** One channel a connection follows; it decides which events reach the socket, and in what order. */
public abstract sealed class Subscription
        permits SessionSubscription, DashboardSubscription, OperatorsSubscription, StatsSubscription {

    protected final ClientConnection connection;
    protected final Channel channel;
    private volatile boolean ended;

    protected Subscription(ClientConnection connection, Channel channel) {
        this.connection = connection;
        this.channel = channel;
    }

    public ClientConnection connection() {
        return connection;
    }

    public Channel channel() {
        return channel;
    }

    /** A session event from the hub. */
    public abstract void deliver(EventFrame event);

    /** A frame of this channel outside the session's sequence (typing, presence, read receipts). */
    public void deliverSignal(String frame) {
        if (!ended) {
            connection.send(frame);
        }
    }

    public boolean ended() {
        return ended || connection.isClosed();
    }

    /** Unsubscribed or the connection closed: nothing more is written or fetched. */
    public void end() {
        ended = true;
    }
}
