package com.parley.chat.api.domain;

import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Converter;

@Converter(autoApply = true)
public class SessionStatusConverter implements AttributeConverter<SessionStatus, String> {

    @Override
    public String convertToDatabaseColumn(SessionStatus status) {
        return status == null ? null : status.wireName();
    }

    @Override
    public SessionStatus convertToEntityAttribute(String value) {
        return value == null ? null : SessionStatus.fromWire(value).orElseThrow();
    }
}
