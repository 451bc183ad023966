package com.parley.chat.api.domain;

import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Converter;

@Converter(autoApply = true)
public class RoleConverter implements AttributeConverter<Role, String> {

    @Override
    public String convertToDatabaseColumn(Role role) {
        return role == null ? null : role.wireName();
    }

    @Override
    public Role convertToEntityAttribute(String value) {
        return value == null ? null : Role.valueOf(value.toUpperCase());
    }
}
