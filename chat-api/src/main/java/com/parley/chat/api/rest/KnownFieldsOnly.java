package com.parley.chat.api.rest;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import jakarta.inject.Singleton;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.parley.chat.api.messaging.TenantNotice;
import com.parley.chat.api.service.ErasureService;
import com.parley.chat.api.service.SavedReplies;
import com.parley.chat.api.service.SessionNotes;

import io.quarkus.jackson.ObjectMapperCustomizer;

/**
 * A body field that the request does not have is refused (400 {@code malformed-body} naming it): a
 * misspelled {@code client_msg_id} was a message stored without its idempotency key. A field that
 * chat-api itself answers with ({@code id}, {@code role}, {@code sender_user_id}, {@code created_at},
 * ...) is read-only instead: ignored when a client sends it, as a saved reply read and sent back
 * whole, or a {@code role} that the token decides, not the body.
 */
@Singleton
public class KnownFieldsOnly implements ObjectMapperCustomizer {

    /** What chat-api answers with: its fields are read-only in a request. */
    private static final List<Class<? extends Record>> ANSWERS = List.of(Views.SessionView.class,
            Views.MessageView.class, SavedReplies.SavedReply.class, SessionNotes.Note.class, TenantNotice.class,
            ErasureService.Erasure.class);

    static final Set<String> READ_ONLY = ANSWERS.stream()
            .flatMap(answer -> Arrays.stream(answer.getRecordComponents()))
            .map(component -> new PropertyNamingStrategies.SnakeCaseStrategy().translate(component.getName()))
            .collect(Collectors.toUnmodifiableSet());

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        mapper.addHandler(new DeserializationProblemHandler() {
            @Override
            public boolean handleUnknownProperty(DeserializationContext context, JsonParser parser,
                    JsonDeserializer<?> deserializer, Object beanOrClass, String name) throws IOException {
                if (!READ_ONLY.contains(name)) {
                    return false; // refused: UnrecognizedPropertyException, a 400 naming it
                }
                parser.skipChildren();
                return true;
            }
        });
    }
}
