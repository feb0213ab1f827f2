package dev.lockbox.exporter.verify;

import dev.lockbox.api.audit.AuditEvent;
import dev.lockbox.api.audit.AuditHashChain;
import dev.lockbox.exporter.lake.AuditParquetFormat;
import dev.lockbox.exporter.lake.AuditParquetSchema;
import dev.lockbox.exporter.lake.Lake;
import dev.lockbox.exporter.lake.PartFile;
import java.io.IOException;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recomputes each environment's hash chain over the exported files, reading them back with
 * parquet-avro: sequences contiguous from 1 with no duplicate, each {@code prev_hash} equal to the
 * previous row's {@code hash}, each {@code hash} equal to what the row's content gives
 * ({@link AuditHashChain#isIntact}), rows in the day partition of their event_time, file names and
 * footers agreeing with the rows. A deleted, duplicated, reordered or altered row, or a removed or
 * copied file, breaks one of these. What the lake alone cannot show is a cut tail (the newest files
 * removed): compare {@code lastSequence}/{@code lastHash} with the server for that.
 */
public final class LakeVerifier {
    private static final Logger LOG = LoggerFactory.getLogger(LakeVerifier.class);

    private final Lake lake;

    public LakeVerifier(Lake lake) {
        this.lake = lake;
    }

    /** Verifies the given environments, or every environment in the lake when the list is empty. */
    public VerificationReport verify(List<String> environments) throws IOException {
        List<String> envs = environments.isEmpty() ? lake.environments() : environments;
        List<VerificationReport.EnvironmentResult> results = new ArrayList<>();
        for (String env : envs) results.add(verifyEnvironment(env));
        return new VerificationReport(results);
    }

    private VerificationReport.EnvironmentResult verifyEnvironment(String env) throws IOException {
        List<PartFile> files = lake.partFiles(env);
        Cursor at = new Cursor(env);
        for (Path stray : lake.strayFiles(env)) {
            String name = stray.getName();
            if (!name.startsWith(".") && !name.startsWith("_")) {
                return at.fail(files.size(), relative(stray), 0,
                        "not a part file of the lake (readers of sql_audit/**/*.parquet may read it as audit rows)");
            }
        }
        if (files.isEmpty()) {
            return at.fail(0, "sql_audit/" + PartFile.environmentDir(env), 1, "no exported files for this environment");
        }
        int checked = 0;
        for (PartFile f : files) {
            ChainProblem problem = checkFile(f, at);
            checked++;
            if (problem != null) return at.result(checked, problem);
            if (checked % 100 == 0) LOG.info("environment {}: {} files, {} rows verified", env, checked, at.rows);
        }
        return at.result(checked, null);
    }

    private ChainProblem checkFile(PartFile f, Cursor at) throws IOException {
        String name = f.displayName();
        long expected = at.lastSequence + 1;
        if (f.firstSequence() < expected) {
            return at.problem(name, f.firstSequence(), "duplicate: the file holds sequences " + f.firstSequence()
                    + ".." + f.lastSequence() + " but sequences up to " + at.lastSequence + " are already in "
                    + at.lastFile);
        }
        if (f.firstSequence() > expected) {
            return at.problem(name, expected, "gap: sequences " + expected + ".." + (f.firstSequence() - 1)
                    + " are missing before this file");
        }
        AuditParquetFormat.Footer footer;
        try {
            footer = AuditParquetFormat.readFooter(lake, f);
        } catch (IOException | RuntimeException e) {
            return at.problem(name, expected, "not a readable Parquet file: " + e.getMessage());
        }
        String footerProblem = footerProblem(f, footer, at);
        if (footerProblem != null) return at.problem(name, expected, footerProblem);

        LocalDate partition = f.eventDate();
        ChainProblem[] found = new ChainProblem[1];
        try {
            AuditParquetFormat.read(lake, f, e -> {
                if (found[0] != null) return;
                found[0] = checkRow(e, partition, name, at);
            });
        } catch (IOException | RuntimeException e) {
            return at.problem(name, at.lastSequence + 1, "could not read rows: " + e.getMessage());
        }
        if (found[0] != null) return found[0];
        if (at.lastSequence != f.lastSequence()) {
            return at.problem(name, at.lastSequence + 1, "the file name says it ends at sequence " + f.lastSequence()
                    + " but its rows end at " + at.lastSequence);
        }
        if (!Objects.equals(footer.get(AuditParquetSchema.META_LAST_HASH), at.lastHash)) {
            return at.problem(name, f.lastSequence(), "footer last_hash does not match the hash of the last row");
        }
        at.lastFile = name;
        return null;
    }

    private static String footerProblem(PartFile f, AuditParquetFormat.Footer footer, Cursor at) {
        if (!Integer.toString(AuditParquetSchema.SCHEMA_VERSION).equals(footer.get(AuditParquetSchema.META_SCHEMA_VERSION))) {
            return "unknown schema version " + footer.get(AuditParquetSchema.META_SCHEMA_VERSION);
        }
        if (!f.environment().equals(footer.get(AuditParquetSchema.META_ENVIRONMENT))) {
            return "the footer says environment " + footer.get(AuditParquetSchema.META_ENVIRONMENT);
        }
        if (!Long.toString(f.firstSequence()).equals(footer.get(AuditParquetSchema.META_FIRST_SEQUENCE))
                || !Long.toString(f.lastSequence()).equals(footer.get(AuditParquetSchema.META_LAST_SEQUENCE))) {
            return "the footer says sequences " + footer.get(AuditParquetSchema.META_FIRST_SEQUENCE) + ".."
                    + footer.get(AuditParquetSchema.META_LAST_SEQUENCE) + ", the file name " + f.firstSequence() + ".."
                    + f.lastSequence();
        }
        if (footer.rowCount() != f.rowCount()) {
            return "the file holds " + footer.rowCount() + " rows, its name promises " + f.rowCount();
        }
        if (!at.lastHash.equals(footer.get(AuditParquetSchema.META_FIRST_PREV_HASH))) {
            return "the footer's first prev_hash does not continue the chain of the previous file";
        }
        return null;
    }

    private static ChainProblem checkRow(AuditEvent e, LocalDate partition, String file, Cursor at) {
        long expected = at.lastSequence + 1;
        if (e.sequence() != expected) {
            String what = e.sequence() < expected ? "duplicate or reordered row" : "missing row";
            return at.problem(file, expected, what + ": expected sequence " + expected + ", found " + e.sequence());
        }
        if (!at.lastHash.equals(e.prevHash())) {
            return at.problem(file, expected, "prev_hash does not link to the hash of sequence " + at.lastSequence);
        }
        if (!AuditHashChain.isIntact(e)) {
            return at.problem(file, expected, "altered row: its hash does not match its content");
        }
        if (!LocalDate.ofInstant(e.eventTime(), ZoneOffset.UTC).equals(partition)) {
            return at.problem(file, expected, "event_time " + e.eventTime() + " is not in the file's partition "
                    + partition);
        }
        at.lastSequence = expected;
        at.lastHash = e.hash();
        at.rows++;
        return null;
    }

    private String relative(Path p) {
        String root = lake.root().toString();
        String s = p.toString();
        return s.startsWith(root) ? s.substring(root.length()).replaceFirst("^/", "") : s;
    }

    /** Where the walk along one environment's chain is. */
    private static final class Cursor {
        final String environment;
        long lastSequence;
        String lastHash = AuditHashChain.GENESIS;
        String lastFile = "(none)";
        long rows;

        Cursor(String environment) {
            this.environment = environment;
        }

        ChainProblem problem(String file, long sequence, String message) {
            return new ChainProblem(environment, file, sequence, message);
        }

        VerificationReport.EnvironmentResult fail(int files, String file, long sequence, String message) {
            return result(files, problem(file, sequence, message));
        }

        VerificationReport.EnvironmentResult result(int files, ChainProblem problem) {
            return new VerificationReport.EnvironmentResult(environment, files, rows, lastSequence, lastHash, problem);
        }
    }
}
