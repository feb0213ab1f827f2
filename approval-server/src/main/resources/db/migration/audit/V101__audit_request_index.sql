-- The request index loses its sequence column (docs/benchmarks-audit-ingest.md). With
-- (request_id, sequence) every seal of an event stored earlier rewrote that index entry (sequence
-- goes from null to its value), on top of the (environment, sequence) entry; keyed by request_id
-- alone it is written once, at insert. forRequest reads one request's events through it and sorts
-- them by sequence, a request's events being few compared with the log.
DROP INDEX audit_event_request;
CREATE INDEX audit_event_by_request ON audit_event (request_id);
