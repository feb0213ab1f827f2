package dev.lockbox.api.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class AuditHashChainTest {

    private static AuditEvent event(long seq, String statement, Boolean succeeded) {
        return new AuditEvent(seq, "2f1c7a52-8d0e-4c3b-9a51-0c6e0c3f0a01", Instant.parse("2026-11-29T10:15:30.123456Z"),
                "sales-prod", "PUBLIC", "req-1", "CAS-1", "bob", "lockbox_g_1", "s-1", "10.0.0.5", "DBeaver",
                "SELECT", "READ", List.of("ACCOUNTBASE"), statement, "[7]", "ALLOWED", null, succeeded, 1L, null,
                1.5, null, null);
    }

    @Test
    void canonicalFormIsTheDocumentedArray() {
        assertThat(AuditHashChain.canonical(event(3, "SELECT * FROM AccountBase WHERE id = ?", true)))
                .isEqualTo("[1,3,\"2f1c7a52-8d0e-4c3b-9a51-0c6e0c3f0a01\",1795947330123456,\"sales-prod\",\"PUBLIC\","
                        + "\"req-1\",\"CAS-1\",\"bob\",\"lockbox_g_1\",\"s-1\",\"10.0.0.5\",\"DBeaver\",\"SELECT\",\"READ\","
                        + "[\"ACCOUNTBASE\"],\"SELECT * FROM AccountBase WHERE id = ?\",\"[7]\",\"ALLOWED\",null,true,1,null,1.5]");
    }

    @Test
    void hashIsSha256OfPreviousHashNewlineAndCanonicalForm() throws Exception {
        AuditEvent e = event(3, "SELECT * FROM AccountBase WHERE id = ?", true);
        String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(
                (AuditHashChain.GENESIS + "\n" + AuditHashChain.canonical(e)).getBytes(StandardCharsets.UTF_8)));
        assertThat(AuditHashChain.hash(AuditHashChain.GENESIS, e)).isEqualTo(expected);
    }

    @Test
    void partBuiltBeforeTheChainPositionGivesTheSameHash() {
        // Built with sequence 0 (not known yet), hashed at sequence 42: the hash of the event at 42.
        AuditEvent unplaced = new AuditEvent(0, "2f1c7a52-8d0e-4c3b-9a51-0c6e0c3f0a01", Instant.parse("2026-11-29T10:15:30.123456Z"),
                "sales-prod", "PUBLIC", "req-1", "CAS-1", "bob", "lockbox_g_1", "s-1", "10.0.0.5", "DBeaver",
                "SELECT", "READ", List.of("A", "\"quoted\" é"), "SELECT 'ü'", null, "DENIED", "no", false, null, null,
                null, null, null);
        byte[] part = AuditHashChain.afterSequence(unplaced);
        String prev = "ab".repeat(32);
        assertThat(AuditHashChain.hash(prev, 42, part))
                .isEqualTo(AuditHashChain.hash(prev, unplaced.sealed(42, prev, null)))
                .isNotEqualTo(AuditHashChain.hash(prev, 41, part));
        assertThat(AuditHashChain.canonical(unplaced.sealed(42, prev, null)))
                .isEqualTo("[1,42," + new String(part, StandardCharsets.UTF_8));
    }

    @Test
    void chainLinksAndDetectsAnyChangedValue() {
        AuditEvent first = event(1, "SELECT 1", true);
        AuditEvent sealed1 = first.sealed(1, AuditHashChain.GENESIS, AuditHashChain.hash(AuditHashChain.GENESIS, first));
        AuditEvent second = event(2, "SELECT 2", null);
        AuditEvent sealed2 = second.sealed(2, sealed1.hash(), AuditHashChain.hash(sealed1.hash(), second));

        assertThat(sealed1.hash()).hasSize(64).matches("[0-9a-f]{64}");
        assertThat(AuditHashChain.isIntact(sealed1)).isTrue();
        assertThat(AuditHashChain.isIntact(sealed2)).isTrue();
        assertThat(sealed2.prevHash()).isEqualTo(sealed1.hash());

        AuditEvent outcomeChanged = event(2, "SELECT 2", true).sealed(2, sealed2.prevHash(), sealed2.hash());
        AuditEvent statementChanged = event(2, "SELECT 3", null).sealed(2, sealed2.prevHash(), sealed2.hash());
        AuditEvent relinked = second.sealed(2, AuditHashChain.GENESIS, sealed2.hash());
        assertThat(AuditHashChain.isIntact(outcomeChanged)).isFalse();
        assertThat(AuditHashChain.isIntact(statementChanged)).isFalse();
        assertThat(AuditHashChain.isIntact(relinked)).isFalse();
    }

    @Test
    void nullAndEmptyAreDistinct() {
        AuditEvent withNullObjects = new AuditEvent(1, "e", Instant.EPOCH, "env", null, null, null, "bob", null, null,
                null, null, "CONNECT", "MISC", null, null, null, "ALLOWED", null, true, null, null, null, null, null);
        AuditEvent withEmptyObjects = new AuditEvent(1, "e", Instant.EPOCH, "env", null, null, null, "bob", null, null,
                null, null, "CONNECT", "MISC", List.of(), null, null, "ALLOWED", null, true, null, null, null, null, null);
        assertThat(AuditHashChain.hash(AuditHashChain.GENESIS, withNullObjects))
                .isNotEqualTo(AuditHashChain.hash(AuditHashChain.GENESIS, withEmptyObjects));
    }
}
