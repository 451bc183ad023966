package com.parley.chat.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPInputStream;

import com.parley.infra.FreePorts;
import com.sun.net.httpserver.HttpServer;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;

/**
 * A minimal OpenTelemetry collector for the tests: receives OTLP/HTTP (protobuf) trace exports on
 * {@code /v1/traces} and keeps every span with the service and instance that recorded it.
 */
final class OtlpCollector implements AutoCloseable {

    /** A received span: hex ids, parent empty for a root span. */
    record Span(String service, String instance, String traceId, String spanId, String parentSpanId, String name) {
        @Override
        public String toString() {
            return "%s %s/%s span %s parent %s  %s".formatted(traceId, service, instance, spanId,
                    parentSpanId.isEmpty() ? "-" : parentSpanId, name);
        }
    }

    private final HttpServer server;
    final List<Span> spans = new CopyOnWriteArrayList<>();

    OtlpCollector() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", FreePorts.next()), 0);
        server.createContext("/v1/traces", exchange -> {
            try (InputStream raw = exchange.getRequestBody()) {
                InputStream body = "gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))
                        ? new GZIPInputStream(raw) : raw;
                receive(ExportTraceServiceRequest.parseFrom(body));
                byte[] answer = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
                exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
                exchange.sendResponseHeaders(200, answer.length == 0 ? -1 : answer.length);
                exchange.getResponseBody().write(answer);
            } finally {
                exchange.close();
            }
        });
        server.start();
    }

    /** The endpoint the services export to. */
    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void receive(ExportTraceServiceRequest request) {
        HexFormat hex = HexFormat.of();
        request.getResourceSpansList().forEach(resourceSpans -> {
            String service = attribute(resourceSpans.getResource(), "service.name");
            String instance = attribute(resourceSpans.getResource(), "service.instance.id");
            resourceSpans.getScopeSpansList().forEach(scope -> scope.getSpansList().forEach(span -> spans.add(new Span(
                    service, instance, hex.formatHex(span.getTraceId().toByteArray()),
                    hex.formatHex(span.getSpanId().toByteArray()), hex.formatHex(span.getParentSpanId().toByteArray()),
                    span.getName()))));
        });
    }

    private static String attribute(Resource resource, String key) {
        return resource.getAttributesList().stream().filter(a -> a.getKey().equals(key)).map(KeyValue::getValue)
                .map(v -> v.getStringValue()).findFirst().orElse("");
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
