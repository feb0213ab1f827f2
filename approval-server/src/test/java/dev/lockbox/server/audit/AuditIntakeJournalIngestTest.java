package dev.lockbox.server.audit;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * All of {@link JdbcAuditLogIngestTest} with the intake journal in front of the store, its writer
 * writing only when something reads: the same answers must come from the journal's overlay.
 */
class AuditIntakeJournalIngestTest extends JdbcAuditLogIngestTest {
    @TempDir
    Path dir;
    private AuditIntakeJournal journal;

    @Override
    AuditLog under(JdbcAuditLog store) {
        journal = AuditIntakeJournal.open(store, dir.resolve("journal"), AuditFixtures.journalWritingOnlyWhenRead());
        return journal;
    }

    @Override
    void written() {
        journal.awaitWritten();
    }

    @AfterEach
    void closeJournal() {
        if (journal != null) journal.close();
    }
}
