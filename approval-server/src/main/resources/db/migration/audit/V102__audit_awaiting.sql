-- Events waiting for their outcome move out of audit_event into a table of their own
-- (docs/audit-log.md). The scheduler's overdue scan on audit_event_awaiting had to step over
-- the index entry of every sealed event (their awaiting_outcome_since is null, and nulls sort
-- first), so each tick cost time in proportion to the whole log; audit_awaiting holds only the
-- events that still wait, and audit_event loses an index written for every event. No index on
-- since: the table stays small (statements in flight), the scan reads it whole, and every index
-- would be one more page written by each durable commit of the sync driver's events.
CREATE TABLE audit_awaiting (
    event_id     VARCHAR(36)                 NOT NULL PRIMARY KEY,
    environment  VARCHAR(100)                NOT NULL,
    since        TIMESTAMP(6) WITH TIME ZONE NOT NULL
);

INSERT INTO audit_awaiting (event_id, environment, since)
    SELECT event_id, environment, awaiting_outcome_since FROM audit_event
    WHERE awaiting_outcome_since IS NOT NULL;

DROP INDEX audit_event_awaiting;
ALTER TABLE audit_event DROP COLUMN awaiting_outcome_since;
