-- The audit log (docs/audit-log.md). Portable SQL: runs unchanged on H2 2.x and PostgreSQL.
-- An event is stored when it arrives (sequence, prev_hash and hash null) and sealed later,
-- under the lock on its environment's audit_chain_head row.
CREATE TABLE audit_event (
    event_id                VARCHAR(36)                 NOT NULL PRIMARY KEY,
    environment             VARCHAR(100)                NOT NULL,
    sequence                BIGINT,
    event_time              TIMESTAMP(6) WITH TIME ZONE NOT NULL,
    db_name                 VARCHAR(1000),
    request_id              VARCHAR(100),
    support_ticket_id       VARCHAR(1000),
    engineer                VARCHAR(200)                NOT NULL,
    db_user                 VARCHAR(1000),
    session_id              VARCHAR(1000),
    client_host             VARCHAR(1000),
    application_name        VARCHAR(1000),
    action                  VARCHAR(64)                 NOT NULL,
    action_class            VARCHAR(16)                 NOT NULL,
    -- JSON array of strings; the list is read back whole, never queried inside.
    objects                 VARCHAR(1048576)            NOT NULL,
    statement               VARCHAR(1048576),
    parameters              VARCHAR(1048576),
    decision                VARCHAR(8)                  NOT NULL,
    deny_reason             VARCHAR(4000),
    succeeded               BOOLEAN,
    rows_affected           BIGINT,
    error                   VARCHAR(65536),
    duration_ms             DOUBLE PRECISION,
    prev_hash               VARCHAR(64),
    hash                    VARCHAR(64),
    -- Server clock when the event was stored.
    received_at             TIMESTAMP(6) WITH TIME ZONE NOT NULL,
    -- Set while an ALLOWED event waits for its outcome; cleared when sealed. The scheduler's
    -- range scan on this index sees only waiting events.
    awaiting_outcome_since  TIMESTAMP(6) WITH TIME ZONE,
    CONSTRAINT audit_event_sequence UNIQUE (environment, sequence)
);

CREATE INDEX audit_event_request ON audit_event (request_id, sequence);
CREATE INDEX audit_event_awaiting ON audit_event (awaiting_outcome_since);

-- One row per environment: the end of its hash chain. Locked with SELECT ... FOR UPDATE by every
-- sealing transaction, so replicas sharing the database extend each chain one at a time.
CREATE TABLE audit_chain_head (
    environment    VARCHAR(100) NOT NULL PRIMARY KEY,
    last_sequence  BIGINT       NOT NULL,
    last_hash      VARCHAR(64)  NOT NULL
);

-- Outcomes that arrived after their event was sealed with succeeded = null. The sealed row is
-- never altered (its hash covers the outcome columns); the late outcome is kept here as evidence.
CREATE TABLE audit_late_outcome (
    event_id       VARCHAR(36)                 NOT NULL PRIMARY KEY REFERENCES audit_event (event_id),
    received_at    TIMESTAMP(6) WITH TIME ZONE NOT NULL,
    succeeded      BOOLEAN                     NOT NULL,
    rows_affected  BIGINT,
    error          VARCHAR(65536),
    duration_ms    DOUBLE PRECISION            NOT NULL
);
