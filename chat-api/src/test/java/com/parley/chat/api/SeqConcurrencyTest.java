package com.parley.chat.api;

import static com.parley.chat.api.Api.as;
import static com.parley.chat.api.Api.newSession;
import static com.parley.chat.api.Api.sessionsPath;
import static com.parley.chat.api.Api.token;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;

import com.parley.infra.ChatInfraResource;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

@QuarkusTest
@WithTestResource(ChatInfraResource.class)
class SeqConcurrencyTest {

    private final String tenant = "t-" + UUID.randomUUID();

    @Test
    void fiftyParallelPostsGetSeqTwoToFiftyOneExactlyOnce() throws Exception {
        String session = newSession(tenant, "alice");
        String alice = token(tenant, "alice", "user");
        String path = sessionsPath(tenant) + "/" + session + "/messages";
        List<Callable<Response>> posts = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            int n = i;
            posts.add(() -> as(alice).body(Map.of("content", "parallel " + n)).post(path));
        }
        List<Long> seqs = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(50);
        try {
            for (Future<Response> f : pool.invokeAll(posts)) {
                Response r = f.get();
                assertEquals(201, r.statusCode(), r.asString());
                seqs.add(r.jsonPath().getLong("seq"));
            }
        } finally {
            pool.shutdown();
        }
        List<Long> expected = LongStream.rangeClosed(2, 51).boxed().toList();
        assertEquals(expected, seqs.stream().sorted().toList());
        List<Long> history = as(alice).queryParam("limit", 500).get(sessionsPath(tenant) + "/" + session + "/events")
                .jsonPath().getList("events.seq", Long.class);
        assertEquals(LongStream.rangeClosed(1, 51).boxed().toList(), history);
    }

    @Test
    void parallelRetriesOfOneClientMessageIdStoreOneMessage() throws Exception {
        String session = newSession(tenant, "bob");
        String bob = token(tenant, "bob", "user");
        String path = sessionsPath(tenant) + "/" + session + "/messages";
        String clientId = "retry-" + UUID.randomUUID();
        List<Callable<Response>> posts = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            posts.add(() -> as(bob).body(Map.of("content", "once", "client_message_id", clientId)).post(path));
        }
        ExecutorService pool = Executors.newFixedThreadPool(20);
        List<Response> responses = new ArrayList<>();
        try {
            for (Future<Response> f : pool.invokeAll(posts)) {
                responses.add(f.get());
            }
        } finally {
            pool.shutdown();
        }
        Map<Integer, Long> byStatus = responses.stream()
                .collect(Collectors.groupingBy(Response::statusCode, Collectors.counting()));
        assertEquals(Map.of(201, 1L, 200, 19L), byStatus);
        Set<String> ids = responses.stream().map(r -> r.jsonPath().getString("id")).collect(Collectors.toSet());
        assertEquals(1, ids.size());
        assertEquals(1, as(bob).get(path).jsonPath().getList("items").size());
    }
}
