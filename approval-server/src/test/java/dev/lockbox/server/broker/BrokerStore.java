package dev.lockbox.server.broker;

import dev.lockbox.server.testing.TestStore;
import java.nio.file.Path;
import java.util.UUID;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The server's store as the broker sees it, migrated with the broker's migrations only: H2 (in
 * memory, or a file that outlives a broker for restart tests), or on the {@code postgres-store}
 * run ({@link TestStore#onPostgres()}) a fresh PostgreSQL database of its own, dropped on close.
 */
final class BrokerStore implements AutoCloseable {
    private final DataSource dataSource;
    private final PostgresTestDatabase database;

    private BrokerStore(DataSource dataSource, PostgresTestDatabase database) {
        this.dataSource = dataSource;
        this.database = database;
    }

    /** A store for one test: H2 in memory, or a fresh PostgreSQL database on the postgres-store run. */
    static BrokerStore forRun() {
        return TestStore.onPostgres() ? postgres() : new BrokerStore(inMemory(), null);
    }

    /**
     * A store that outlives the brokers of one test (each "restart" is a new broker on it): an H2
     * file under {@code dir} (every connection opens the file anew), or a fresh PostgreSQL database
     * on the postgres-store run.
     */
    static BrokerStore persistentForRun(Path dir) {
        if (TestStore.onPostgres()) return postgres();
        return new BrokerStore(migrated("jdbc:h2:file:" + dir.toAbsolutePath().resolve("store") + ";WRITE_DELAY=0"), null);
    }

    /** An H2 in-memory store, whatever the run (the benchmark). */
    static DataSource inMemory() {
        return migrated("jdbc:h2:mem:broker-store-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
    }

    private static BrokerStore postgres() {
        PostgresTestDatabase db = PostgresTestDatabase.create();
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(db.jdbcUrl());
        ds.setUser(db.user());
        ds.setPassword(db.password());
        try {
            Flyway.configure().dataSource(ds).locations("classpath:db/migration/broker").load().migrate();
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
        return new BrokerStore(ds, db);
    }

    private static DataSource migrated(String url) {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL(url);
        ds.setUser("sa");
        ds.setPassword("");
        Flyway.configure().dataSource(ds).locations("classpath:db/migration/broker").load().migrate();
        return ds;
    }

    DataSource dataSource() {
        return dataSource;
    }

    @Override
    public void close() {
        if (database != null) database.close();
    }
}
