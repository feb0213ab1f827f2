-- Event ids are stored as UUID instead of VARCHAR(36) (docs/audit-log.md): 16 bytes compared as two
-- longs instead of a 36-character string in every primary-key lookup and index page of the ingest's
-- serial writer. The API still takes and returns the lower-case text form, and the hash chain still
-- hashes that text (AuditHashChain), so existing rows keep their ids and their hashes.
-- Portable SQL: runs unchanged on H2 2.x and PostgreSQL.
--
-- PostgreSQL refuses to change the type of audit_event.event_id while audit_late_outcome's foreign
-- key (varchar) refers to it, so that key has to go first; but it was created unnamed, and H2 and
-- PostgreSQL named it differently (H2 after a hash of the table name, which depends on the schema's
-- other constraints). Instead of dropping it by name, audit_late_outcome (a few rows: outcomes that
-- came after the scheduler sealed their event) is copied into a new table and the old one dropped
-- with its key; its keys are then created again, named, once audit_event.event_id is a UUID.
-- audit_event itself is altered in place, so its other indexes and constraints stay as they are.
CREATE TABLE audit_late_outcome_uuid (
    event_id       UUID                        NOT NULL,
    received_at    TIMESTAMP(6) WITH TIME ZONE NOT NULL,
    succeeded      BOOLEAN                     NOT NULL,
    rows_affected  BIGINT,
    error          VARCHAR(65536),
    duration_ms    DOUBLE PRECISION            NOT NULL
);

INSERT INTO audit_late_outcome_uuid (event_id, received_at, succeeded, rows_affected, error, duration_ms)
    SELECT CAST(event_id AS UUID), received_at, succeeded, rows_affected, error, duration_ms
    FROM audit_late_outcome;

DROP TABLE audit_late_outcome;
ALTER TABLE audit_late_outcome_uuid RENAME TO audit_late_outcome;

-- PostgreSQL needs USING to turn text into UUID; H2 accepts the same clause.
ALTER TABLE audit_event ALTER COLUMN event_id SET DATA TYPE UUID USING CAST(event_id AS UUID);
ALTER TABLE audit_awaiting ALTER COLUMN event_id SET DATA TYPE UUID USING CAST(event_id AS UUID);

ALTER TABLE audit_late_outcome ADD CONSTRAINT audit_late_outcome_pkey PRIMARY KEY (event_id);
ALTER TABLE audit_late_outcome ADD CONSTRAINT audit_late_outcome_event
    FOREIGN KEY (event_id) REFERENCES audit_event (event_id);
