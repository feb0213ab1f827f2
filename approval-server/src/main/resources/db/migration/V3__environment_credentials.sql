-- Credential mode of an environment (docs/credential-broker.md): STATIC hands every grant the
-- environment's target_user/target_password; BROKER creates a database user per grant with
-- admin_user, whose password is admin_password or the server's environment variable named by
-- admin_secret_env (exactly one of the two is set). target_schema: the schema a whole-schema grant
-- covers (NULL: the target's default). Existing environments keep working as STATIC.
ALTER TABLE environments ADD COLUMN credential_mode VARCHAR(10) DEFAULT 'STATIC' NOT NULL;
ALTER TABLE environments ADD COLUMN admin_user VARCHAR(200);
ALTER TABLE environments ADD COLUMN admin_password VARCHAR(1000);
ALTER TABLE environments ADD COLUMN admin_secret_env VARCHAR(200);
ALTER TABLE environments ADD COLUMN target_schema VARCHAR(200);
