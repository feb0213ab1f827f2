package dev.lockbox.server.audit;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.ToIntFunction;

/**
 * Group commit for work submitted by many threads at once: the first caller to find no writer
 * running becomes the writer, takes everything queued so far (up to a size limit) and hands it to
 * {@code writeGroup} as one group, which answers each item ({@link Item#succeed} / {@link Item#fail})
 * only after the commit that holds it. Callers that arrived meanwhile wait; when the writer is done,
 * those already answered return and one of the others writes the next group. There is no thread of
 * its own and no timer: a lone caller writes its own item at once, and under load each commit carries
 * whatever queued while the previous one was being written.
 *
 * @param <T> the submitted work
 * @param <R> the answer to one submission
 */
final class GroupCommit<T, R> {
    /** One submission: its work, and its answer once the group holding it has been written. */
    static final class Item<T, R> {
        private final T work;
        private R result;
        private RuntimeException failure;
        /** Written after result/failure, read under the group's monitor or by the writer itself. */
        private volatile boolean done;

        private Item(T work) {
            this.work = work;
        }

        T work() {
            return work;
        }

        void succeed(R value) {
            result = value;
            done = true;
        }

        void fail(RuntimeException e) {
            failure = Objects.requireNonNull(e, "failure");
            done = true;
        }
    }

    private final Consumer<List<Item<T, R>>> writeGroup;
    private final ToIntFunction<T> weight;
    private final int maxWeight;
    private final Object monitor = new Object();
    private final ArrayDeque<Item<T, R>> queue = new ArrayDeque<>();
    private boolean writing;

    /**
     * @param writeGroup writes a group and answers every item of it; it must not throw (an item it
     *                   leaves unanswered is failed)
     * @param weight     the size of one submission (e.g. events plus outcomes)
     * @param maxWeight  a group stops growing once it holds this much (a first item heavier than this
     *                   still forms a group of its own)
     */
    GroupCommit(Consumer<List<Item<T, R>>> writeGroup, ToIntFunction<T> weight, int maxWeight) {
        this.writeGroup = Objects.requireNonNull(writeGroup, "writeGroup");
        this.weight = Objects.requireNonNull(weight, "weight");
        if (maxWeight < 1) throw new IllegalArgumentException("maxWeight must be positive: " + maxWeight);
        this.maxWeight = maxWeight;
    }

    /** Queues {@code work}, writes it (with others') or waits for another caller to, and returns its answer. */
    R submit(T work) {
        Item<T, R> mine = new Item<>(work);
        boolean interrupted = false;
        synchronized (monitor) {
            queue.addLast(mine);
        }
        while (true) {
            List<Item<T, R>> group;
            synchronized (monitor) {
                while (writing && !mine.done) {
                    try {
                        monitor.wait();
                    } catch (InterruptedException e) {
                        // The item is queued and will be written; its caller still gets the real answer.
                        interrupted = true;
                    }
                }
                if (mine.done) return answer(mine, interrupted);
                writing = true;
                // The oldest items first: under the weight limit this group may not reach ours yet.
                group = takeGroup();
            }
            write(group);
        }
    }

    private void write(List<Item<T, R>> group) {
        try {
            writeGroup.accept(group);
        } catch (RuntimeException | Error e) {
            for (Item<T, R> item : group) {
                if (!item.done) item.fail(new AuditStoreException("audit group write failed", e));
            }
            if (e instanceof Error err) throw err;
        } finally {
            synchronized (monitor) {
                for (Item<T, R> item : group) {
                    if (!item.done) item.fail(new IllegalStateException("audit group write left an item unanswered"));
                }
                writing = false;
                monitor.notifyAll();
            }
        }
    }

    /** Called with the monitor held: the oldest queued items, at least one, up to {@code maxWeight}. */
    private List<Item<T, R>> takeGroup() {
        List<Item<T, R>> group = new ArrayList<>();
        int total = 0;
        while (!queue.isEmpty()) {
            int w = weight.applyAsInt(queue.peekFirst().work);
            if (!group.isEmpty() && total + w > maxWeight) break;
            group.add(queue.pollFirst());
            total += w;
        }
        return group;
    }

    private R answer(Item<T, R> item, boolean interrupted) {
        if (interrupted) Thread.currentThread().interrupt();
        if (item.failure != null) throw item.failure;
        return item.result;
    }
}
