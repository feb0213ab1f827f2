package dev.lockbox.server.audit;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** All of {@link JdbcAuditLogIngestTest} through the intake journal: the same answers must come from its overlay. */
class AuditIntakeJournalIngestTest extends JdbcAuditLogIngestTest {
    @TempDir
    Path dir;
    private final JournalInFront journal = new JournalInFront();

    @Override
    AuditLog under(JdbcAuditLog store) {
        return journal.open(store, dir);
    }

    @Override
    void written() {
        journal.written();
    }

    @AfterEach
    void closeJournal() {
        journal.close();
    }
}
