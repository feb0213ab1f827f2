package dev.lockbox.exporter.testing;

import dev.lockbox.api.audit.AuditEvent;
import dev.lockbox.api.audit.AuditEventPage;
import dev.lockbox.api.audit.AuditHashChain;
import dev.lockbox.api.audit.EventIds;
import dev.lockbox.exporter.feed.AuditEventSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.UUID;

/**
 * A deterministic source of valid sealed audit events: the same seed gives the same events, in
 * this JVM or a child one. Each environment has {@code eventsPerEnvironment} events, gap-free from
 * sequence 1, chained with {@link AuditHashChain} exactly as the server seals them. The mix looks
 * like engineers at work: sessions of CONNECT, reads, writes, some DDL, a few denials, statements
 * whose outcome never arrived ({@code succeeded = null}) and failed statements.
 *
 * <p>Events are a function of (seed, environment, sequence), so any page can be served without
 * keeping the whole chain in memory; only hashes at every 1024th sequence are remembered to resume.
 */
public final class SyntheticAuditFeed implements AuditEventSource {
    private static final String[] ENGINEERS = {"alice", "bob", "chandra", "dmitri", "eve"};
    private static final String[] TABLES = {"public.orders", "public.customers", "public.invoices",
            "public.payments", "billing.subscriptions", "public.audit_notes"};
    private static final int CHECKPOINT_EVERY = 1024;

    private final long seed;
    private final List<String> environments;
    private final long eventsPerEnvironment;
    private final Instant start;
    private final long gapMicros;
    private final Map<String, TreeMap<Long, String>> hashAt = new HashMap<>();

    /**
     * @param start first event time; events are about {@code meanGap} apart (with jitter, so
     *              event_time is not strictly monotonic, as with the server's sealing order)
     */
    public SyntheticAuditFeed(long seed, List<String> environments, long eventsPerEnvironment, Instant start,
                              Duration meanGap) {
        this.seed = seed;
        this.environments = List.copyOf(environments);
        this.eventsPerEnvironment = eventsPerEnvironment;
        this.start = start;
        this.gapMicros = Math.max(1, meanGap.toNanos() / 1_000);
        for (String env : environments) {
            TreeMap<Long, String> m = new TreeMap<>();
            m.put(0L, AuditHashChain.GENESIS);
            hashAt.put(env, m);
        }
    }

    public long eventsPerEnvironment() {
        return eventsPerEnvironment;
    }

    @Override
    public List<String> environments() {
        return environments;
    }

    @Override
    public synchronized AuditEventPage page(String environment, long afterSequence, int limit) {
        TreeMap<Long, String> known = hashAt.get(environment);
        if (known == null) throw new IllegalArgumentException("unknown environment " + environment);
        Map.Entry<Long, String> from = known.floorEntry(afterSequence);
        long seq = from.getKey();
        String prev = from.getValue();
        while (seq < afterSequence) {
            prev = event(environment, ++seq, prev).hash();
        }
        List<AuditEvent> events = new ArrayList<>(limit);
        long last = Math.min(eventsPerEnvironment, afterSequence + limit);
        while (seq < last) {
            AuditEvent e = event(environment, ++seq, prev);
            events.add(e);
            prev = e.hash();
        }
        return new AuditEventPage(environment, events, events.isEmpty() ? afterSequence : seq);
    }

    /** Every event of one environment, in sequence order. */
    public List<AuditEvent> all(String environment) {
        return page(environment, 0, (int) eventsPerEnvironment).events();
    }

    private AuditEvent event(String env, long sequence, String prevHash) {
        AuditEvent e = unsealed(env, sequence).sealed(sequence, prevHash, null);
        AuditEvent sealed = e.sealed(sequence, prevHash, AuditHashChain.hash(prevHash, e));
        if (sequence % CHECKPOINT_EVERY == 0) hashAt.get(env).put(sequence, sealed.hash());
        return sealed;
    }

    private AuditEvent unsealed(String env, long sequence) {
        SplittableRandom r = new SplittableRandom(seed * 31 + env.hashCode() * 1_000_003L + sequence);
        // Sessions of 40 events: the session's engineer, request and ticket come from its number.
        long sessionNo = (sequence - 1) / 40;
        SplittableRandom s = new SplittableRandom(seed * 17 + env.hashCode() + sessionNo * 7_919L);
        String engineer = ENGINEERS[s.nextInt(ENGINEERS.length)];
        String requestId = new UUID(s.nextLong(), s.nextLong()).toString();
        String ticket = "SUP-" + (10_000 + s.nextInt(90_000));
        String sessionId = new UUID(s.nextLong(), s.nextLong()).toString();
        String clientHost = "10.20." + s.nextInt(256) + "." + s.nextInt(256);
        String app = s.nextBoolean() ? "DBeaver 24.1.0" : "sqlline";
        String dbUser = "lb_" + requestId.substring(0, 8);
        long micros = AuditHashChain.epochMicros(start) + sequence * gapMicros + r.nextLong(Math.max(1, gapMicros / 2));
        Instant time = Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000);
        String eventId = EventIds.at(Math.floorDiv(micros, 1_000L), r).toString(); // time-ordered, like the driver's
        long inSession = (sequence - 1) % 40;

        String action;
        String actionClass;
        List<String> objects;
        String statement;
        String parameters = null;
        String decision = "ALLOWED";
        String denyReason = null;
        Boolean succeeded = Boolean.TRUE;
        Long rows = null;
        String error = null;
        Double duration = Math.round(r.nextDouble() * 250_000) / 1000.0;
        String table = TABLES[r.nextInt(TABLES.length)];
        int pick = r.nextInt(100);
        if (inSession == 0) {
            action = AuditEvent.CONNECT;
            actionClass = "MISC";
            objects = List.of();
            statement = null;
            duration = null;
        } else if (inSession == 39) {
            action = AuditEvent.DISCONNECT;
            actionClass = "MISC";
            objects = List.of();
            statement = null;
            duration = null;
        } else if (pick < 60) {
            action = "SELECT";
            actionClass = "READ";
            objects = List.of(table);
            long id = r.nextLong(1, 5_000_000);
            if (r.nextBoolean()) {
                statement = "SELECT * FROM " + table + " WHERE id = ?";
                parameters = "[" + id + "]";
            } else {
                statement = "SELECT id, status, total, updated_at FROM " + table + " WHERE customer_id = " + id
                        + " ORDER BY updated_at DESC LIMIT 50";
            }
            rows = (long) r.nextInt(60);
        } else if (pick < 80) {
            action = "UPDATE";
            actionClass = "WRITE";
            objects = List.of(table);
            statement = "UPDATE " + table + " SET status = ? WHERE id = ?";
            parameters = "[\"" + (r.nextBoolean() ? "REFUNDED" : "CANCELLED") + "\"," + r.nextLong(1, 5_000_000) + "]";
            rows = (long) r.nextInt(2);
        } else if (pick < 88) {
            action = "INSERT";
            actionClass = "WRITE";
            objects = List.of("public.audit_notes");
            statement = "INSERT INTO public.audit_notes (ticket, note) VALUES ('" + ticket + "', 'checked order "
                    + r.nextLong(1, 5_000_000) + "')";
            rows = 1L;
        } else if (pick < 93) {
            action = "SELECT";
            actionClass = "READ";
            objects = List.of("public.orders", "public.customers");
            statement = "SELECT o.id, c.email FROM public.orders o JOIN public.customers c ON c.id = o.customer_id"
                    + " WHERE o.created_at > now() - interval '" + r.nextInt(1, 30) + " days'";
            rows = (long) r.nextInt(500);
        } else {
            action = r.nextBoolean() ? "DELETE" : "DROP";
            actionClass = action.equals("DROP") ? "DDL" : "WRITE";
            objects = List.of(table);
            statement = action.equals("DROP") ? "DROP TABLE " + table : "DELETE FROM " + table;
            decision = "DENIED";
            denyReason = "grant is READ_ONLY";
            succeeded = null;
            duration = null;
        }
        if (decision.equals("ALLOWED") && inSession != 0 && inSession != 39) {
            int outcome = r.nextInt(100);
            if (outcome < 2) {
                succeeded = null; // the client crashed before reporting the outcome
                rows = null;
                duration = null;
            } else if (outcome < 5) {
                succeeded = Boolean.FALSE;
                rows = null;
                error = "ERROR: canceling statement due to statement timeout";
            }
        }
        return new AuditEvent(0, eventId, time, env, "shop", requestId, ticket, engineer, dbUser, sessionId,
                clientHost, app, action, actionClass, objects, statement, parameters, decision, denyReason,
                succeeded, rows, error, duration, null, null);
    }
}
