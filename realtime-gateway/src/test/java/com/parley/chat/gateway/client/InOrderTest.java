package com.parley.chat.gateway.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.Uni;

/** Steps run one after another in the order handed over, whatever order their answers would come in. */
class InOrderTest {

    private final List<String> started = new ArrayList<>();
    private final List<CompletableFuture<String>> answers = new ArrayList<>();

    /** A step that says when it is subscribed to (a request sent) and ends when the test answers it. */
    private Uni<String> step(String name) {
        return Uni.createFrom().deferred(() -> {
            started.add(name);
            CompletableFuture<String> answer = new CompletableFuture<>();
            answers.add(answer);
            return Uni.createFrom().completionStage(answer);
        });
    }

    @Test
    void theNextStepStartsOnlyOnceTheOneBeforeEndedWhetherItSucceededOrFailed() {
        InOrder inOrder = new InOrder(1000);
        inOrder.run(step("first"));
        inOrder.run(step("second"));
        inOrder.run(step("third"));
        assertEquals(List.of("first"), started, "one at a time");
        answers.get(0).complete("stored");
        assertEquals(List.of("first", "second"), started);
        answers.get(1).completeExceptionally(new IllegalStateException("chat-api away"));
        assertEquals(List.of("first", "second", "third"), started, "a failure does not stop the ones after it");
        answers.get(2).complete("stored");
        inOrder.run(step("fourth")); // nothing running: at once
        assertEquals(List.of("first", "second", "third", "fourth"), started);
    }

    @Test
    void beyondItsCapacityAStepIsRefusedAndNeverRunsWhileTheOthersGoOn() {
        InOrder inOrder = new InOrder(2);
        assertTrue(inOrder.run(step("running")));
        assertTrue(inOrder.run(step("waiting 1")));
        assertTrue(inOrder.run(step("waiting 2")));
        assertFalse(inOrder.run(step("one too many")), "two wait already");
        answers.get(0).complete("stored");
        assertTrue(inOrder.run(step("room again")), "one went on: room for one more");
        answers.get(1).complete("stored");
        answers.get(2).complete("stored");
        answers.get(3).complete("stored");
        assertEquals(List.of("running", "waiting 1", "waiting 2", "room again"), started);
    }

    @Test
    void stepsHandedOverFromSeveralThreadsAllRunOneAtATime() throws InterruptedException {
        InOrder inOrder = new InOrder(1000);
        List<Integer> order = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        // made here, handed over from four threads (Mutiny's context set-up is not for several threads at once)
        List<List<Uni<Integer>>> steps = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            List<Uni<Integer>> own = new ArrayList<>();
            for (int i = 0; i < 250; i++) {
                int n = t * 1000 + i;
                own.add(Uni.createFrom().item(() -> {
                    most.accumulateAndGet(running.incrementAndGet(), Math::max);
                    order.add(n);
                    running.decrementAndGet();
                    return n;
                }));
            }
            steps.add(own);
        }
        List<Thread> threads = new ArrayList<>();
        for (List<Uni<Integer>> own : steps) {
            threads.add(Thread.ofPlatform().start(() -> own.forEach(inOrder::run)));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        assertEquals(1000, order.size(), "every step ran");
        assertEquals(1, most.get(), "never two at once");
        for (int t = 0; t < 4; t++) {
            int thread = t;
            assertEquals(IntStream.range(t * 1000, t * 1000 + 250).boxed().toList(),
                    order.stream().filter(n -> n / 1000 == thread).toList(),
                    "each thread's steps in the order it handed them over");
        }
    }
}
