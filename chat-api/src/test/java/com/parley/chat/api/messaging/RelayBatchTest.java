package com.parley.chat.api.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Which rows of a batch the relay may delete when Kafka acknowledged some of them. */
class RelayBatchTest {

    @Test
    void onlyTheAcknowledgedPrefixGoesSoAFailedRowIsNeverOvertakenByALaterOne() {
        List<String> batch = List.of("seq 5", "seq 6", "seq 7", "seq 8");
        assertEquals(batch, RelayBatch.acknowledgedPrefix(batch, List.of(true, true, true, true)));
        assertEquals(List.of("seq 5"), RelayBatch.acknowledgedPrefix(batch, List.of(true, false, true, true)),
                "7 and 8 were acknowledged but stay: deleted, they would precede 6 when 6 is sent again");
        assertEquals(List.of(), RelayBatch.acknowledgedPrefix(batch, List.of(false, true, true, true)));
        assertEquals(List.of("seq 5", "seq 6"), RelayBatch.acknowledgedPrefix(batch, List.of(true, true)),
                "outcomes not known (the wait ended) count as not acknowledged");
    }
}
