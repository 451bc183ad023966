package com.parley.chat.gateway.client;

import com.parley.chat.gateway.protocol.Channel;
import com.parley.chat.gateway.protocol.EventFrame;

/** Staff's {@code operators} channel: {@code operator_status} frames, no session events. */
public final class OperatorsSubscription extends Subscription {

    public OperatorsSubscription(ClientConnection connection) {
        super(connection, Channel.OPERATORS);
    }

    @Override
    public void deliver(EventFrame event) {
        // the roster writes its frames with deliverSignal
    }
}
