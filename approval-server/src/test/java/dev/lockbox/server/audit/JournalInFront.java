package dev.lockbox.server.audit;

import java.nio.file.Path;

/**
 * The intake journal in front of a test's store, its writer writing only when something reads, for
 * the store's tests run again through it ({@link AuditIntakeJournalIngestTest},
 * {@link AuditIntakeJournalRefusalTest}).
 */
final class JournalInFront implements AutoCloseable {
    private AuditIntakeJournal journal;

    AuditLog open(JdbcAuditLog store, Path dir) {
        journal = AuditIntakeJournal.open(store, dir.resolve("journal"), AuditFixtures.journalWritingOnlyWhenRead());
        return journal;
    }

    /** Returns once everything the journal acknowledged is in the store. */
    void written() {
        journal.awaitWritten();
    }

    @Override
    public void close() {
        if (journal != null) journal.close();
    }
}
