package com.parley.chat.gateway.messaging;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

import com.parley.chat.gateway.config.GatewayConfig;
import com.parley.chat.gateway.protocol.EventFrame;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;

/**
 * Continues the trace that chat-api started (the request that wrote the event; its
 * {@code traceparent} rides on the Kafka record) with one span per event on this instance: the
 * fan-out to every local socket, not one span per socket. An event without a trace context
 * (tracing off in chat-api) costs a header lookup.
 */
@ApplicationScoped
public class EventTracing {

    private static final TextMapGetter<ConsumerRecord<String, String>> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(ConsumerRecord<String, String> record) {
            List<String> keys = new ArrayList<>();
            record.headers().forEach(header -> keys.add(header.key()));
            return keys;
        }

        @Override
        public String get(ConsumerRecord<String, String> record, String key) {
            Header header = record == null ? null : record.headers().lastHeader(key);
            return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
        }
    };

    private final Tracer tracer;
    private final String instanceId;

    @Inject
    public EventTracing(Tracer tracer, GatewayConfig config) {
        this.tracer = tracer;
        this.instanceId = config.instanceId();
    }

    /** The record carries a trace context (chat-api traced the request that wrote it). */
    public boolean traced(ConsumerRecord<String, String> record) {
        return record.headers().lastHeader("traceparent") != null;
    }

    /** Runs the fan-out of {@code event}, inside a span of the event's trace when it has one. */
    public void deliver(ConsumerRecord<String, String> record, EventFrame event, Runnable fanOut) {
        if (!traced(record)) {
            fanOut.run();
            return;
        }
        Context parent = W3CTraceContextPropagator.getInstance().extract(Context.root(), record, HEADERS);
        Span span = tracer.spanBuilder("parley.deliver " + event.type())
                .setParent(parent)
                .setSpanKind(SpanKind.CONSUMER)
                .setAttribute("messaging.system", "kafka")
                .setAttribute("messaging.destination.name", record.topic())
                .setAttribute("messaging.kafka.message.offset", record.offset())
                .setAttribute("parley.tenant_id", event.tenantId())
                .setAttribute("parley.session_id", event.sessionId())
                .setAttribute("parley.seq", event.seq())
                .setAttribute("parley.gateway.instance", instanceId)
                .startSpan();
        try (Scope ignored = span.makeCurrent()) {
            fanOut.run();
        } catch (RuntimeException e) {
            span.recordException(e);
            throw e;
        } finally {
            span.end();
        }
    }
}
