-- The exporter running inside the server (docs/lake.md, "Inside the server"). Portable between
-- H2 2.x and PostgreSQL.

-- At most one row (id = 1), written by the first PUT /api/export; no row = export not configured.
-- environments: JSON array of names (environment_mode SELECTED). export_interval: ISO-8601.
CREATE TABLE export_config (
    id               INT            NOT NULL PRIMARY KEY,
    destination      VARCHAR(2000)  NOT NULL,
    environment_mode VARCHAR(10)    NOT NULL,
    environments     VARCHAR(20000) NOT NULL,
    export_interval  VARCHAR(40)    NOT NULL,
    enabled          BOOLEAN        NOT NULL,
    updated_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_by       VARCHAR(64)    NOT NULL,
    last_run_at      TIMESTAMP WITH TIME ZONE,
    last_error       VARCHAR(4000)
);

-- One row: which server replica may write the lake, until when. Taken and renewed with a
-- conditional UPDATE (its row lock serialises replicas), so two replicas never export at once.
CREATE TABLE export_lease (
    id         INT          NOT NULL PRIMARY KEY,
    holder     VARCHAR(100),
    expires_at TIMESTAMP WITH TIME ZONE
);
INSERT INTO export_lease (id, holder, expires_at) VALUES (1, NULL, NULL);

-- Highest sequence committed to the lake per environment, as the lease holder last saw it.
CREATE TABLE export_progress (
    environment            VARCHAR(100) NOT NULL PRIMARY KEY,
    last_exported_sequence BIGINT       NOT NULL,
    updated_at             TIMESTAMP WITH TIME ZONE NOT NULL
);
