package dev.lockbox.server.audit;

import dev.lockbox.api.audit.AuditAck;
import dev.lockbox.api.audit.AuditBatch;
import dev.lockbox.api.audit.AuditEvent;
import dev.lockbox.api.audit.AuditEventPage;
import dev.lockbox.api.audit.AuditEventSubmission;
import dev.lockbox.api.audit.AuditHashChain;
import dev.lockbox.api.audit.EventIds;
import dev.lockbox.api.audit.AuditOutcome;
import dev.lockbox.api.audit.Decision;
import dev.lockbox.server.http.ApiException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.Predicate;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit log on the server's JDBC store (H2 or PostgreSQL), tables from the {@code db/migration/audit}
 * migrations. Every call runs in one transaction (retried whole on deadlock or lock timeout); ingest
 * calls that arrive while another is being written share the next transaction and its commit
 * ({@link GroupCommit}). Sealing takes the environment's chain-head row lock, so replicas on one
 * database never fork a chain. See docs/audit-log.md.
 */
public final class JdbcAuditLog implements AuditLog {
    /** Largest page served, whatever the caller asks for. */
    public static final int MAX_PAGE = 10_000;
    /** How far a driver's clock may be ahead of the server's, or its event before its grant's start. */
    static final Duration CLOCK_SKEW = Duration.ofMinutes(10);
    private static final int OVERDUE_CHUNK = 1_000;
    /** Events plus outcomes that one group commit takes at most (four full batches). */
    private static final int MAX_GROUP = 4 * (AuditBatchRules.MAX_EVENTS + AuditBatchRules.MAX_OUTCOMES);
    private static final int STRIPES = 16;
    private static final Logger log = LoggerFactory.getLogger(JdbcAuditLog.class);

    private final DataSource ds;
    private final Clock clock;
    private final GrantDirectory grants;
    private final Duration outcomeTimeout;
    private final RetryingTransaction tx;
    private final AuditEventRows rows = new AuditEventRows();
    private final AuditBatchRules rules = new AuditBatchRules();
    /**
     * One group commit per stripe of environments: batches of one environment are always grouped (they
     * serialize on its chain head anyway), while batches of different environments mostly go to different
     * stripes and are written in parallel, as without grouping. A fixed number, so environment names sent
     * by clients cannot grow it.
     */
    private final List<GroupCommit<Submission, AuditAck>> commits = new ArrayList<>(STRIPES);
    /** Groups written again the careful way because an optimistic batch's event id was stored (for tests). */
    private final LongAdder optimismRefuted = new LongAdder();
    /** The store's way of locking rows, found on the first transaction (the store is one database for good). */
    private volatile RowLocking locking;

    public JdbcAuditLog(DataSource ds, Clock clock, GrantDirectory grants, Duration outcomeTimeout) {
        this.ds = Objects.requireNonNull(ds, "ds");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.grants = Objects.requireNonNull(grants, "grants");
        this.outcomeTimeout = Objects.requireNonNull(outcomeTimeout, "outcomeTimeout");
        if (outcomeTimeout.isNegative() || outcomeTimeout.isZero()) {
            throw new IllegalArgumentException("outcome timeout must be positive: " + outcomeTimeout);
        }
        this.tx = new RetryingTransaction(ds);
        for (int i = 0; i < STRIPES; i++) commits.add(new GroupCommit<>(this::writeGroup, Submission::weight, MAX_GROUP));
    }

    @Override
    public AuditAck ingest(String caller, AuditBatch batch) {
        Ingest in = prepare(caller, batch);
        GroupCommit<Submission, AuditAck> stripe = commits.get(Math.floorMod(in.environment().hashCode(), STRIPES));
        return stripe.submit(new Submission(in, expectNothingStored(in)));
    }

    /**
     * The checks of a batch that need no stored event (its shape, and each event's grant judged at the
     * server's time now), and the batch as the writer takes it. Throws every such refusal.
     */
    Ingest prepare(String caller, AuditBatch batch) {
        if (caller == null || caller.isBlank()) throw ApiException.forbidden("audit events need an authenticated user");
        rules.check(batch);
        Instant now = clock.instant();
        List<AuditEventSubmission> events = batch.events() == null ? List.of() : batch.events();
        List<AuditOutcome> outcomes = batch.outcomes() == null ? List.of() : batch.outcomes();
        // Grants are looked up before a store connection is taken: the directory may need one of its own.
        Map<String, GrantAdmission> admissions = new HashMap<>();
        for (AuditEventSubmission e : events) {
            admissions.computeIfAbsent(e.requestId(),
                    id -> GrantAdmission.judge(id, grants.find(id), caller, batch.environment(), now));
        }
        return new Ingest(caller, batch.environment(), events, outcomes, admissions, now);
    }

    /**
     * One checked batch on its way to the store: also what {@link AuditIntakeJournal} appends, so that a
     * batch written late is judged by the grants and the clock of the moment it was acknowledged.
     */
    record Ingest(String caller, String environment, List<AuditEventSubmission> events,
            List<AuditOutcome> outcomes, Map<String, GrantAdmission> admissions, Instant now) {
        int weight() {
            return 1 + events.size() + outcomes.size();
        }
    }

    /** A batch and, when it can have one, its {@link Optimistic} write, both made on the caller's thread. */
    private record Submission(Ingest in, Optimistic optimistic) {
        int weight() {
            return in.weight();
        }
    }

    /**
     * The plan of a batch that none of whose event ids is stored yet (the usual case: only a driver's retry
     * repeats an id), made before the batch queues for the writer, with the canonical form of each
     * event to seal but its chain position ({@link AuditHashChain#afterSequence}); {@code afterSequence}
     * follows {@code plan.finalNow()}. The writer inserts it without reading the ids first: the
     * primary key finds any that is stored after all, and the group is then written again the
     * careful way ({@link #writeGroup}).
     */
    private record Optimistic(Plan plan, List<byte[]> afterSequence) {}

    /**
     * The batch's plan as if none of its event ids were stored, or null when that plan could not hold:
     * an outcome names an event of an earlier batch (which must be read), or the batch would be refused
     * (unless its events are stored: a retry after the grant ended is acknowledged, so only the store can tell).
     */
    private Optimistic expectNothingStored(Ingest in) {
        Set<String> eventIds = new HashSet<>();
        for (AuditEventSubmission e : in.events()) eventIds.add(AuditBatchRules.eventKey(e.eventId()));
        for (AuditOutcome o : in.outcomes()) {
            if (!eventIds.contains(AuditBatchRules.eventKey(o.eventId()))) return null;
        }
        Plan plan;
        try {
            plan = plan(in, Map.of(), id -> {
                throw new IllegalStateException("no late outcome without a stored event");
            });
        } catch (ApiException | SQLException refusedUnlessStored) {
            return null;
        }
        List<byte[]> afterSequence = new ArrayList<>(plan.finalNow().size());
        for (AuditEvent e : plan.finalNow()) afterSequence.add(AuditHashChain.afterSequence(e));
        return new Optimistic(plan, afterSequence);
    }

    /** Thrown inside a group's transaction when an optimistic batch met a stored event id: the group is written again, carefully. */
    private static final class StoredAfterAll extends RuntimeException {
        StoredAfterAll(SQLException duplicate) {
            super("an event id of an optimistic batch is stored", duplicate, false, false);
        }
    }

    /** Writes a group of the group commit and answers each of its items. */
    private void writeGroup(List<GroupCommit.Item<Submission, AuditAck>> group) {
        List<Submission> work = new ArrayList<>(group.size());
        for (GroupCommit.Item<Submission, AuditAck> item : group) work.add(item.work());
        List<Object> answers = writeEach(work);
        for (int k = 0; k < group.size(); k++) {
            if (answers.get(k) instanceof AuditAck ack) group.get(k).succeed(ack);
            else group.get(k).fail((RuntimeException) answers.get(k));
        }
    }

    /**
     * Writes the batches in one transaction and one commit (one durable write of the store instead of one
     * per batch) and answers each, in the given order: its {@link AuditAck}, the {@link ApiException}
     * refusing it, or the {@code RuntimeException} its own write failed with. A batch refused for its own
     * content (someone else's event id, an unknown outcome) is refused alone: refusals are all decided
     * before a batch writes anything, so the others go on in the same transaction. If the transaction fails
     * as a whole, each batch is written again on its own, so one batch's store failure is never another's.
     * Batches of one environment are written in the given order (an outcome may follow its event).
     */
    private List<Object> writeEach(List<Submission> batches) {
        if (batches.size() > 1) {
            // Chain heads locked in environment order, so two replicas' groups do not deadlock on them; the
            // sort is stable, so one environment's batches keep their order.
            List<Integer> order = new ArrayList<>(batches.size());
            for (int k = 0; k < batches.size(); k++) order.add(k);
            order.sort(Comparator.comparing(k -> batches.get(k).in().environment()));
            List<Submission> ordered = new ArrayList<>(batches.size());
            for (int k : order) ordered.add(batches.get(k));
            try {
                List<Object> answers = writeTogether(ordered);
                Object[] inGivenOrder = new Object[batches.size()];
                for (int k = 0; k < order.size(); k++) inGivenOrder[order.get(k)] = answers.get(k);
                return Arrays.asList(inGivenOrder);
            } catch (RuntimeException e) {
                log.debug("a group of {} audit batches failed ({}); writing each on its own", batches.size(), e.toString());
            }
        }
        List<Object> answers = new ArrayList<>(batches.size());
        for (Submission s : batches) {
            try {
                answers.add(writeTogether(List.of(s)).get(0));
            } catch (RuntimeException e) {
                answers.add(e);
            }
        }
        return answers;
    }

    /**
     * Writes batches that {@link AuditIntakeJournal} acknowledged earlier, in order, and answers each like
     * {@link #writeEach}. Writing one again is harmless: event ids are stored once, outcomes applied once.
     */
    List<Object> writeJournaled(List<Ingest> batches) {
        List<Submission> work = new ArrayList<>(batches.size());
        for (Ingest in : batches) work.add(new Submission(in, expectNothingStored(in)));
        return writeEach(work);
    }

    /**
     * Writes the batches in one transaction, optimistic ones without reading their ids first; if one
     * of those ids is stored after all (a retry, someone else's id), the transaction is rolled back and
     * all of them are written again the careful way. Returns each batch's ack or refusal, in order.
     */
    private List<Object> writeTogether(List<Submission> items) {
        try {
            return tx.run(c -> writeAll(c, items, true));
        } catch (StoredAfterAll e) {
            optimismRefuted.increment();
            log.debug("an optimistic audit batch met a stored event id ({}); writing its group again carefully",
                    e.getCause().toString());
            return tx.run(c -> writeAll(c, items, false));
        }
    }

    private List<Object> writeAll(Connection c, List<Submission> items, boolean optimistic) throws SQLException {
        List<Object> out = new ArrayList<>(items.size());
        Map<String, ChainHead> heads = new HashMap<>();
        for (Submission s : items) {
            try {
                out.add(optimistic && s.optimistic() != null
                        ? writeOptimistic(c, s.in(), s.optimistic(), heads)
                        : ingest(c, s.in(), heads));
            } catch (ApiException refused) {
                out.add(refused);
            }
        }
        saveAll(c, heads);
        return out;
    }

    /**
     * Inserts a batch planned by {@link #expectNothingStored}: what {@link #plan} decides when none of its
     * ids is stored, without the read that finds out. A duplicate key means one is: {@link StoredAfterAll}.
     */
    private AuditAck writeOptimistic(Connection c, Ingest in, Optimistic o, Map<String, ChainHead> heads)
            throws SQLException {
        // The chain head first: another replica inserting the same ids (a driver's retry racing its original)
        // then waits for this commit on the head instead of holding a row this batch would wait for.
        ChainHead head = o.plan().finalNow().isEmpty() ? null : lockedHead(c, in.environment(), heads);
        try {
            rows.insert(c, o.plan().waiting(), in.now());
            if (head != null) {
                List<AuditEvent> sealed = new ArrayList<>(o.plan().finalNow().size());
                for (int k = 0; k < o.plan().finalNow().size(); k++) {
                    sealed.add(head.append(o.plan().finalNow().get(k), o.afterSequence().get(k)));
                }
                rows.insert(c, sealed, in.now());
            }
        } catch (SQLException e) {
            if (isDuplicateKey(e)) throw new StoredAfterAll(e);
            throw e;
        }
        return o.plan().ack();
    }

    /** A unique-key violation (SQLState 23505 on H2 and PostgreSQL), also inside a batch's exception. */
    static boolean isDuplicateKey(SQLException e) {
        for (SQLException s = e; s != null; s = s.getNextException()) {
            for (Throwable t = s; t != null; t = t.getCause()) {
                if (t instanceof SQLException q && "23505".equals(q.getSQLState())) return true;
            }
        }
        return false;
    }

    /** The environment's chain head, locked once per transaction. */
    private ChainHead lockedHead(Connection c, String environment, Map<String, ChainHead> heads)
            throws SQLException {
        ChainHead head = heads.get(environment);
        if (head == null) {
            head = ChainHead.lock(c, environment, locking(c));
            heads.put(environment, head);
        }
        return head;
    }

    /**
     * Plans and applies one batch. {@code heads} holds the chain heads this transaction has locked so far:
     * each is locked once per transaction however many batches of the group seal into it, and written
     * back once by {@link #saveAll} just before the commit.
     */
    private AuditAck ingest(Connection c, Ingest in, Map<String, ChainHead> heads) throws SQLException {
        Plan plan = plan(c, in);
        apply(c, in.environment(), plan, in.now(), heads);
        return plan.ack();
    }

    private RowLocking locking(Connection c) throws SQLException {
        RowLocking known = locking;
        if (known == null) locking = known = RowLocking.of(c);
        return known;
    }

    /** Number of groups written again carefully because an optimistic batch's event id was stored. */
    long optimismRefuted() {
        return optimismRefuted.sum();
    }

    private static void saveAll(Connection c, Map<String, ChainHead> heads) throws SQLException {
        for (ChainHead head : heads.values()) head.save(c);
    }

    /** What one batch writes; {@link #plan} decides it (and every refusal) before anything is written. */
    private record Plan(List<AuditEvent> waiting, List<AuditEvent> finalNow, List<AuditEvent> completedEarlier,
            List<AuditOutcome> late, AuditAck ack) {}

    /** Reads and locks the batch's known events and decides what to write; throws every refusal, writes nothing. */
    private Plan plan(Connection c, Ingest in) throws SQLException {
        Set<String> ids = new LinkedHashSet<>();
        for (AuditEventSubmission e : in.events()) ids.add(AuditBatchRules.eventKey(e.eventId()));
        for (AuditOutcome o : in.outcomes()) ids.add(AuditBatchRules.eventKey(o.eventId()));
        Map<String, AuditEventRows.Stored> stored = ids.isEmpty() ? Map.of() : rows.lockExisting(c, ids, locking(c));
        return plan(in, stored, id -> rows.hasLateOutcome(c, id));
    }

    /**
     * What a batch would do, decided like the writer decides it but without writing or locking anything:
     * every refusal is thrown, and the answer says what the batch leaves each event it touches as.
     * {@code pending} holds what batches acknowledged but not yet written left their events as (it is
     * consulted before the store), {@code pendingLate} the late outcomes among them. For
     * {@link AuditIntakeJournal}, which serializes previews, so no other writer can change a decision
     * made here except the scheduler's sealing of an overdue event, after which the outcome is kept as
     * a late one (as when the outcome arrives just after the sealing).
     */
    Preview preview(Ingest in, Function<String, AuditEvent> pending, Predicate<String> pendingLate) {
        Map<String, AuditEventRows.Stored> known = new HashMap<>();
        Set<String> unknown = new LinkedHashSet<>();
        for (AuditEventSubmission e : in.events()) note(AuditBatchRules.eventKey(e.eventId()), pending, known, unknown);
        for (AuditOutcome o : in.outcomes()) note(AuditBatchRules.eventKey(o.eventId()), pending, known, unknown);
        return read(c -> {
            if (!unknown.isEmpty()) known.putAll(rows.findExisting(c, unknown));
            Plan plan = plan(in, known, id -> pendingLate.test(id) || rows.hasLateOutcome(c, id));
            Map<String, AuditEvent> touched = new LinkedHashMap<>();
            for (AuditEvent e : plan.waiting()) touched.put(e.eventId(), e);
            for (AuditEvent e : plan.finalNow()) touched.put(e.eventId(), sealedLater(e));
            for (AuditEvent e : plan.completedEarlier()) touched.put(e.eventId(), sealedLater(e));
            List<String> late = new ArrayList<>(plan.late().size());
            for (AuditOutcome o : plan.late()) late.add(o.eventId());
            return new Preview(plan.ack(), touched, late);
        });
    }

    /** A batch's answer and what it leaves the events it touches as; see {@link #preview}. */
    record Preview(AuditAck ack, Map<String, AuditEvent> touched, List<String> lateOutcomes) {
        /** Whether writing the batch would change nothing (a retry of what is stored or pending). */
        boolean changesNothing() {
            return touched.isEmpty() && lateOutcomes.isEmpty();
        }
    }

    private static void note(String id, Function<String, AuditEvent> pending, Map<String, AuditEventRows.Stored> known,
            Set<String> unknown) {
        AuditEvent p = pending.apply(id);
        if (p != null) known.put(id, new AuditEventRows.Stored(p)); else unknown.add(id);
    }

    /** An event that its write will seal: marked sealed (a hash no real chain has) for later previews. */
    private static AuditEvent sealedLater(AuditEvent e) {
        return new AuditEvent(e.sequence(), e.eventId(), e.eventTime(), e.environment(), e.database(), e.requestId(),
                e.supportTicketId(), e.engineer(), e.dbUser(), e.sessionId(), e.clientHost(), e.applicationName(),
                e.action(), e.actionClass(), e.objects(), e.statement(), e.parameters(), e.decision(), e.denyReason(),
                e.succeeded(), e.rowsAffected(), e.error(), e.durationMs(), null, "sealed when written");
    }

    /** Whether a late outcome of a sealed event is already kept. */
    @FunctionalInterface
    private interface LateOutcomes {
        boolean kept(String eventId) throws SQLException;
    }

    /** Decides what to write given the batch's {@code stored} events (locked); throws every refusal, writes nothing. */
    private Plan plan(Ingest in, Map<String, AuditEventRows.Stored> stored, LateOutcomes lateOutcomes)
            throws SQLException {
        String caller = in.caller();
        String environment = in.environment();
        List<AuditEventSubmission> events = in.events();
        List<AuditOutcome> outcomes = in.outcomes();

        int duplicates = 0;
        Map<String, AuditEvent> fresh = new LinkedHashMap<>();
        for (int i = 0; i < events.size(); i++) {
            AuditEventSubmission s = events.get(i);
            String id = AuditBatchRules.eventKey(s.eventId());
            AuditEventRows.Stored known = stored.get(id);
            if (known != null) {
                requireOwn("events[" + i + "].eventId", known.event(), caller, environment);
                duplicates++;
            } else if (fresh.containsKey(id)) {
                duplicates++;
            } else {
                GrantAdmission admission = in.admissions().get(s.requestId());
                if (!admission.admitted()) throw ApiException.forbidden("events[" + i + "]: " + admission.refusal());
                fresh.put(id, newEvent("events[" + i + "]", id, s, admission.grant(), in.now()));
            }
        }

        int applied = 0;
        Set<String> outcomeSeen = new HashSet<>();
        List<AuditEvent> completedEarlier = new ArrayList<>();
        List<AuditOutcome> late = new ArrayList<>();
        for (int i = 0; i < outcomes.size(); i++) {
            AuditOutcome o = outcomes.get(i);
            String at = "outcomes[" + i + "].eventId";
            String id = AuditBatchRules.eventKey(o.eventId());
            AuditEvent target = fresh.containsKey(id) ? fresh.get(id)
                    : stored.containsKey(id) ? stored.get(id).event() : null;
            if (target == null) throw ApiException.invalid(at, "no audit event " + id + " was stored; send the event first");
            if (!fresh.containsKey(id)) requireOwn(at, target, caller, environment);
            if (!Decision.ALLOWED.name().equals(target.decision())) {
                throw ApiException.invalid(at, "event " + id + " is " + target.decision() + " and takes no outcome");
            }
            if (!outcomeSeen.add(id)) continue; // the same outcome twice in one batch: the first one counts
            if (fresh.containsKey(id)) {
                fresh.put(id, withOutcome(target, o));
                applied++;
            } else if (target.hash() == null) {
                completedEarlier.add(withOutcome(target, o));
                applied++;
            } else if (target.succeeded() == null) {
                // Sealed by the scheduler before this outcome came: the chain is not rewritten.
                if (!lateOutcomes.kept(id)) late.add(new AuditOutcome(id, o.succeeded(), o.rowsAffected(), o.error(), o.durationMs()));
            }
            // else: sealed with its outcome already (a retry): nothing to do.
        }

        List<AuditEvent> waiting = new ArrayList<>();
        List<AuditEvent> finalNow = new ArrayList<>();
        for (AuditEvent e : fresh.values()) {
            if (isFinal(e)) finalNow.add(e); else waiting.add(e);
        }
        return new Plan(waiting, finalNow, completedEarlier, late, new AuditAck(fresh.size(), duplicates, applied));
    }

    private void apply(Connection c, String environment, Plan plan, Instant now, Map<String, ChainHead> heads)
            throws SQLException {
        rows.insert(c, plan.waiting(), now);
        if (!plan.completedEarlier().isEmpty() || !plan.finalNow().isEmpty()) {
            // Taken after the batch's unsealed inserts, so the lock is held only for sealing writes and the commit.
            ChainHead head = lockedHead(c, environment, heads);
            List<AuditEvent> sealedEarlier = new ArrayList<>(plan.completedEarlier().size());
            for (AuditEvent e : plan.completedEarlier()) sealedEarlier.add(head.append(e));
            List<AuditEvent> sealedNew = new ArrayList<>(plan.finalNow().size());
            for (AuditEvent e : plan.finalNow()) sealedNew.add(head.append(e));
            rows.seal(c, sealedEarlier);
            rows.insert(c, sealedNew, now);
        }
        rows.insertLateOutcomes(c, plan.late(), now);
        for (AuditOutcome o : plan.late()) {
            log.warn("late outcome for audit event {} of {} kept in audit_late_outcome; the sealed event keeps succeeded=null",
                    o.eventId(), environment);
        }
    }

    /** An event id already in the store may be retried or completed only by the user and environment that stored it. */
    private static void requireOwn(String at, AuditEvent known, String caller, String environment) {
        if (!caller.equals(known.engineer()) || !environment.equals(known.environment())) {
            throw ApiException.forbidden(at + ": event " + known.eventId() + " was recorded by another session");
        }
    }

    private AuditEvent newEvent(String at, String id, AuditEventSubmission s, GrantRecord g, Instant now) {
        Instant time = s.eventTime().truncatedTo(ChronoUnit.MICROS);
        if (time.isAfter(now.plus(CLOCK_SKEW))) {
            throw ApiException.invalid(at + ".eventTime", "is in the future (" + time + ", server time " + now + ")");
        }
        if (time.isBefore(g.accessStartsAt().minus(CLOCK_SKEW))) {
            throw ApiException.invalid(at + ".eventTime", "is before the grant's access window (" + time + ")");
        }
        boolean denied = s.decision() == Decision.DENIED;
        return new AuditEvent(0, id, time, g.environment(), s.database(), g.requestId(), g.supportTicketId(),
                g.engineer(), s.dbUser(), s.sessionId(), s.clientHost(), s.applicationName(), s.action(),
                s.actionClass().name(), s.objects() == null ? List.of() : List.copyOf(s.objects()), s.statement(),
                g.recordParameters() ? s.parameters() : null, s.decision().name(), s.denyReason(),
                denied ? Boolean.FALSE : null, null, null, null, null, null);
    }

    /** DENIED events are final when they arrive; ALLOWED ones once they carry an outcome. */
    private static boolean isFinal(AuditEvent e) {
        return Decision.DENIED.name().equals(e.decision()) || e.durationMs() != null;
    }

    private static AuditEvent withOutcome(AuditEvent e, AuditOutcome o) {
        return new AuditEvent(e.sequence(), e.eventId(), e.eventTime(), e.environment(), e.database(), e.requestId(),
                e.supportTicketId(), e.engineer(), e.dbUser(), e.sessionId(), e.clientHost(), e.applicationName(),
                e.action(), e.actionClass(), e.objects(), e.statement(), e.parameters(), e.decision(), e.denyReason(),
                o.succeeded(), o.rowsAffected(), o.error(), o.durationMs(), null, null);
    }

    @Override
    public void recordSessionEvent(SessionEvent s) {
        Objects.requireNonNull(s, "session event");
        boolean denied = AuditEvent.CONNECT_DENIED.equals(s.action());
        if (!denied && !AuditEvent.CONNECT.equals(s.action()) && !AuditEvent.DISCONNECT.equals(s.action())) {
            throw new IllegalArgumentException("not a session action: " + s.action());
        }
        requireText("environment", s.environment());
        requireText("engineer", s.engineer());
        Objects.requireNonNull(s.eventTime(), "eventTime");
        if (!denied) requireText("requestId", s.requestId());
        AuditEvent e = new AuditEvent(0, EventIds.next(), s.eventTime().truncatedTo(ChronoUnit.MICROS),
                s.environment(), s.database(), s.requestId(), s.supportTicketId(), s.engineer(), s.dbUser(),
                s.sessionId(), s.clientHost(), s.applicationName(), s.action(), "MISC", List.of(), null, null,
                denied ? Decision.DENIED.name() : Decision.ALLOWED.name(), denied ? s.denyReason() : null,
                !denied, null, null, null, null, null);
        Instant now = clock.instant();
        tx.run(c -> {
            ChainHead head = ChainHead.lock(c, e.environment(), locking(c));
            rows.insert(c, List.of(head.append(e)), now);
            head.save(c);
            return null;
        });
    }

    private static void requireText(String name, String value) {
        if (value == null || value.isBlank()) throw new IllegalArgumentException(name + " is required for a session event");
    }

    @Override
    public AuditEventPage page(String environment, long afterSequence, int limit) {
        if (environment == null || environment.isBlank()) throw ApiException.invalid("environment", "is required");
        if (afterSequence < 0) throw ApiException.invalid("afterSequence", "must be 0 or more");
        if (limit < 1) throw ApiException.invalid("limit", "must be at least 1");
        int capped = Math.min(limit, MAX_PAGE);
        List<AuditEvent> events = read(c -> rows.page(c, environment, afterSequence, capped));
        long next = events.isEmpty() ? afterSequence : events.get(events.size() - 1).sequence();
        return new AuditEventPage(environment, events, next);
    }

    @Override
    public List<AuditEvent> forRequest(String requestId, long afterSequence, int limit) {
        if (requestId == null || requestId.isBlank()) throw ApiException.invalid("requestId", "is required");
        if (afterSequence < 0) throw ApiException.invalid("afterSequence", "must be 0 or more");
        if (limit < 1) throw ApiException.invalid("limit", "must be at least 1");
        int capped = Math.min(limit, MAX_PAGE);
        return read(c -> rows.forRequest(c, requestId, afterSequence, capped));
    }

    @Override
    public int sealOverdue(Instant now) {
        Instant cutoff = now.minus(outcomeTimeout);
        int sealed = 0;
        while (true) {
            List<Map.Entry<String, String>> due = read(c -> rows.overdue(c, cutoff, OVERDUE_CHUNK));
            Map<String, List<String>> byEnvironment = new LinkedHashMap<>();
            for (Map.Entry<String, String> d : due) {
                byEnvironment.computeIfAbsent(d.getValue(), k -> new ArrayList<>()).add(d.getKey());
            }
            int round = 0;
            for (Map.Entry<String, List<String>> env : byEnvironment.entrySet()) {
                round += tx.run(c -> sealOverdue(c, env.getKey(), env.getValue()));
            }
            sealed += round;
            // A round that sealed nothing found only events that others sealed meanwhile: stop, the next call continues.
            if (due.size() < OVERDUE_CHUNK || round == 0) return sealed;
        }
    }

    private int sealOverdue(Connection c, String environment, List<String> ids) throws SQLException {
        // Re-checked under the row locks: an outcome or another replica may have sealed some meanwhile.
        List<AuditEvent> still = rows.lockOverdue(c, ids);
        if (still.isEmpty()) return 0;
        still.sort(Comparator.comparing(AuditEvent::eventTime).thenComparing(AuditEvent::eventId));
        ChainHead head = ChainHead.lock(c, environment, locking(c));
        List<AuditEvent> sealed = new ArrayList<>(still.size());
        for (AuditEvent e : still) sealed.add(head.append(e));
        rows.seal(c, sealed);
        head.save(c);
        log.info("sealed {} audit events of {} without outcome (no outcome within {})", sealed.size(), environment,
                outcomeTimeout);
        return sealed.size();
    }

    @FunctionalInterface
    private interface Read<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T read(Read<T> query) {
        try (Connection c = ds.getConnection()) {
            return query.run(c);
        } catch (SQLException e) {
            throw new AuditStoreException("audit store read failed", e);
        }
    }
}
