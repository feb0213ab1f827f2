-- A request's events are found through its span of the chain instead of an index entry per event
-- (docs/audit-log.md). The (request_id) index of V101 was one more B-tree entry inserted, committed
-- and written out with every event, ~10-15% of the ingest's serial writer (docs/benchmarks.md);
-- audit_request_span holds one row per request and environment, the first and last sequence of its
-- sealed events, updated once per sealing transaction under the environment's chain-head lock.
-- Reading a request's events scans the environment's (environment, sequence) index over that
-- span and keeps the request's rows.
CREATE TABLE audit_request_span (
    request_id      VARCHAR(100) NOT NULL,
    environment     VARCHAR(100) NOT NULL,
    first_sequence  BIGINT       NOT NULL,
    last_sequence   BIGINT       NOT NULL,
    PRIMARY KEY (request_id, environment)
);

-- Events sealed before the upgrade. Unsealed ones (sequence null) start or extend a span when sealed.
INSERT INTO audit_request_span (request_id, environment, first_sequence, last_sequence)
    SELECT request_id, environment, MIN(sequence), MAX(sequence) FROM audit_event
    WHERE request_id IS NOT NULL AND sequence IS NOT NULL
    GROUP BY request_id, environment;

DROP INDEX audit_event_by_request;
