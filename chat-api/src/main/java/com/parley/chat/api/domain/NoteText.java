package com.parley.chat.api.domain;

import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import org.hibernate.annotations.Immutable;

/**
 * What a staff search reads of a session's notes (their words), so that a session list's query
 * can look into them; the notes themselves are written and read by {@code SessionNotes}.
 */
@Entity
@Immutable
@Table(name = "session_notes")
public class NoteText {

    @Id
    public UUID id;

    @Column(name = "tenant_id")
    public String tenantId;

    @Column(name = "session_id")
    public UUID sessionId;

    public String content;
}
