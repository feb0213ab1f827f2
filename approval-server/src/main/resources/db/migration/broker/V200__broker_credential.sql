-- Credential broker (docs/credential-broker.md): one row per grant whose database user the broker
-- made. Portable between H2 2.x and PostgreSQL.
-- state: CREATING (row written, user being created on the target), ISSUED, REVOKED.
-- password: the grant user's password while the grant is active, handed to the driver on every
-- connect of that grant; set to NULL when the user is dropped.
CREATE TABLE broker_credential (
    request_id  VARCHAR(100)  NOT NULL PRIMARY KEY,
    environment VARCHAR(100)  NOT NULL,
    db_user     VARCHAR(63)   NOT NULL UNIQUE,
    jdbc_url    VARCHAR(2000) NOT NULL,
    password    VARCHAR(100),
    state       VARCHAR(10)   NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    revoked_at  TIMESTAMP WITH TIME ZONE
);

CREATE INDEX broker_credential_state ON broker_credential (state);
