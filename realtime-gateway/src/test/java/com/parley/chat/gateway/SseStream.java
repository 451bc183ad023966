package com.parley.chat.gateway;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** A Server-Sent Events client as a browser's EventSource reads a stream: events with their last id. */
final class SseStream implements AutoCloseable {

    /** One event: the {@code id:} in force when it arrived (null before any), and its data. */
    record Event(String id, JsonNode data) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    final int status;
    private final InputStream body;
    private final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();

    SseStream(String url, Map<String, String> headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url));
        headers.forEach(request::header);
        HttpResponse<InputStream> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        status = response.statusCode();
        body = response.body();
        Thread.ofPlatform().daemon().start(this::read);
    }

    private void read() {
        String id = null;
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            for (String line; (line = lines.readLine()) != null;) {
                if (line.startsWith("id: ")) {
                    id = line.substring(4);
                } else if (line.startsWith("data: ")) {
                    events.add(new Event(id, JSON.readTree(line.substring(6))));
                }
            }
        } catch (IOException e) {
            // closed
        }
    }

    /** The next {@code count} events matching, in order; fails after {@code timeout}. */
    List<Event> collect(Predicate<Event> filter, int count, Duration timeout) throws InterruptedException {
        List<Event> found = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (found.size() < count) {
            Event next = events.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (next == null) {
                throw new AssertionError("only " + found.size() + " of " + count + " events within " + timeout
                        + ": " + found);
            }
            if (filter.test(next)) {
                found.add(next);
            }
        }
        return found;
    }

    /** Events that arrived and were not collected. */
    List<Event> rest() {
        List<Event> rest = new ArrayList<>();
        events.drainTo(rest);
        return rest;
    }

    @Override
    public void close() throws IOException {
        body.close();
    }
}
