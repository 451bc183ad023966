package com.parley.chat.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.parley.chat.gateway.protocol.EventFrame;
import com.parley.chat.gateway.protocol.Frames;
import com.parley.infra.EventContract;
import com.parley.infra.EventFixture;

/** The gateway's side of docs/asyncapi.yaml: what its tests write is the contract, and it reads the contract. */
class EventContractTest {

    private final EventContract contract = EventContract.load(Path.of("."));
    private final Frames frames = new Frames(new ObjectMapper());

    @Test
    void theEventsTheTestsAndTheBenchmarkWriteToKafkaAreWhatChatApiPublishes() {
        String session = UUID.randomUUID().toString();
        assertEquals(List.of(), contract.violations(EventFixture.messageCreated("acme", session, 7, "x".repeat(100)),
                EventFixture.messageCreatedHeaders(session)));
    }

    @Test
    void everyExampleOfTheContractIsValidAndBecomesAFrameWithItsFields() {
        int examples = 0;
        for (String message : contract.messages("messageEvents")) {
            for (JsonNode example : contract.examples(message)) {
                examples++;
                assertEquals(List.of(), contract.violations(example.toString(), null), message + " example");
                EventFrame frame = frames.fromEvent(example);
                assertNotNull(frame, message + " is a frame the gateway writes");
                assertEquals(example.get("seq").asLong(), frame.seq());
                JsonNode written = frames.parse(frame.frame());
                example.properties().forEach(field -> {
                    if (!"type".equals(field.getKey())) {
                        assertEquals(field.getValue(), written.get(field.getKey()), message + "." + field.getKey());
                    }
                });
            }
        }
        assertFalse(examples == 0, "the contract has examples");
    }
}
