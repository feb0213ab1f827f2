package dev.lockbox.server.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Submissions that queue while a group is being written go out together in the next group, each with its own answer. */
class GroupCommitTest {
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final List<List<Integer>> groups = Collections.synchronizedList(new ArrayList<>());
    private final CountDownLatch firstGroupMayFinish = new CountDownLatch(1);
    private final List<Thread> submitters = Collections.synchronizedList(new ArrayList<>());

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    /** Answers n with n * 10, fails negative n; holds the first group until {@link #firstGroupMayFinish}. */
    private void write(List<GroupCommit.Item<Integer, Integer>> group) {
        List<Integer> works = new ArrayList<>();
        for (GroupCommit.Item<Integer, Integer> item : group) works.add(item.work());
        groups.add(works);
        if (groups.size() == 1) {
            try {
                if (!firstGroupMayFinish.await(30, TimeUnit.SECONDS)) throw new IllegalStateException("test timed out");
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
        for (GroupCommit.Item<Integer, Integer> item : group) {
            if (item.work() < 0) item.fail(new IllegalArgumentException("refused " + item.work()));
            else item.succeed(item.work() * 10);
        }
    }

    private Future<Integer> submit(GroupCommit<Integer, Integer> commits, int work) {
        return pool.submit(() -> {
            submitters.add(Thread.currentThread());
            return commits.submit(work);
        });
    }

    /** Waits until {@code n} submitters wait for the writer (Object.wait without a timeout). */
    private void awaitWaiting(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            long waiting;
            synchronized (submitters) {
                waiting = submitters.stream().filter(t -> t.getState() == Thread.State.WAITING).count();
            }
            if (waiting == n) return;
            Thread.sleep(5);
        }
        throw new AssertionError("submitters never queued: " + groups);
    }

    @Test
    void workQueuedDuringAWriteIsWrittenAsOneGroupWithEachAnswerToItsOwnCaller() throws Exception {
        GroupCommit<Integer, Integer> commits = new GroupCommit<>(this::write, w -> 1, 100);
        Future<Integer> first = submit(commits, 1);
        awaitWaitingWriter();
        List<Future<Integer>> queued = new ArrayList<>();
        for (int w : new int[] {2, -3, 4, 5}) queued.add(submit(commits, w));
        awaitWaiting(4);
        firstGroupMayFinish.countDown();

        assertThat(first.get(30, TimeUnit.SECONDS)).isEqualTo(10);
        assertThat(queued.get(0).get(30, TimeUnit.SECONDS)).isEqualTo(20);
        assertThatThrownBy(() -> queued.get(1).get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("refused -3");
        assertThat(queued.get(2).get(30, TimeUnit.SECONDS)).isEqualTo(40);
        assertThat(queued.get(3).get(30, TimeUnit.SECONDS)).isEqualTo(50);
        assertThat(groups).hasSize(2);
        assertThat(groups.get(0)).containsExactly(1);
        assertThat(groups.get(1)).containsExactlyInAnyOrder(2, -3, 4, 5);
    }

    @Test
    void aGroupStopsGrowingAtItsWeightLimitAndTheRestFollowsInTheNextOne() throws Exception {
        GroupCommit<Integer, Integer> commits = new GroupCommit<>(this::write, w -> w, 10);
        Future<Integer> first = submit(commits, 1);
        awaitWaitingWriter();
        List<Future<Integer>> queued = new ArrayList<>();
        for (int w : new int[] {6, 4, 7, 20}) {
            queued.add(submit(commits, w));
            awaitWaiting(queued.size()); // one at a time, so the queue order is known
        }
        firstGroupMayFinish.countDown();

        assertThat(first.get(30, TimeUnit.SECONDS)).isEqualTo(10);
        for (Future<Integer> f : queued) assertThat(f.get(30, TimeUnit.SECONDS)).isPositive();
        // 6 + 4 fill a group; 7 alone (7 + 20 > 10); 20 is heavier than the limit and still goes, alone.
        assertThat(groups).containsExactly(List.of(1), List.of(6, 4), List.of(7), List.of(20));
    }

    @Test
    void aWriterThatThrowsFailsItsOwnGroupOnlyAndTheNextGroupIsWritten() throws Exception {
        List<List<Integer>> seen = Collections.synchronizedList(new ArrayList<>());
        Consumer<List<GroupCommit.Item<Integer, Integer>>> failingOnce = group -> {
            seen.add(group.stream().map(GroupCommit.Item::work).toList());
            if (seen.size() == 1) throw new IllegalStateException("store down");
            group.forEach(i -> i.succeed(i.work()));
        };
        GroupCommit<Integer, Integer> commits = new GroupCommit<>(failingOnce, w -> 1, 100);

        assertThatThrownBy(() -> commits.submit(7)).isInstanceOf(AuditStoreException.class)
                .hasRootCauseMessage("store down");
        assertThat(commits.submit(8)).isEqualTo(8);
        assertThat(seen).containsExactly(List.of(7), List.of(8));
    }

    /** The first submitter is inside {@link #write}, blocked on the latch (a timed wait). */
    private void awaitWaitingWriter() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (groups.isEmpty()) {
            if (System.nanoTime() > deadline) throw new AssertionError("the first submission was never written");
            Thread.sleep(5);
        }
    }
}
