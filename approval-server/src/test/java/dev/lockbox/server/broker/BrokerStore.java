package dev.lockbox.server.broker;

import java.nio.file.Path;
import java.util.UUID;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;

/** The server's store as the broker sees it: an H2 database migrated with the broker's migrations only. */
final class BrokerStore {
    private BrokerStore() {}

    static DataSource inMemory() {
        return migrated("jdbc:h2:mem:broker-store-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
    }

    static DataSource file(Path dir) {
        return migrated("jdbc:h2:file:" + dir.toAbsolutePath().resolve("store") + ";WRITE_DELAY=0");
    }

    private static DataSource migrated(String url) {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL(url);
        ds.setUser("sa");
        ds.setPassword("");
        Flyway.configure().dataSource(ds).locations("classpath:db/migration/broker").load().migrate();
        return ds;
    }
}
