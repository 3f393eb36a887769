package io.github.fraudflink.job.scoring;

import io.github.fraudflink.job.records.ModelControl;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The control events a scoring instance has received and not yet applied, in arrival order (the first may be
 * loading), mirrored into a {@link Store} (broadcast state) so that a checkpoint taken while a model loads restores
 * the event and loads it again.
 *
 * <p>A newer event for a role replaces an older one of that role still waiting (not the one loading): with a slow
 * or hung artifact store, the latest model asked for is the next to load, and the queue holds at most one waiting
 * load per role and {@link #MAX_WAITING} events in all.
 */
final class PendingControls {
    /** Most events waiting at once; past it the newest is refused (a flood of control events). */
    static final int MAX_WAITING = 1_000;

    /** Where the queue is kept: the operator's broadcast state, a map in tests. Keys sort in arrival order. */
    interface Store {
        void put(String key, ModelControl event) throws Exception;

        void remove(String key) throws Exception;

        Iterable<Map.Entry<String, ModelControl>> entries() throws Exception;
    }

    /** One waiting event and its key in the store. */
    record Entry(String key, ModelControl event) {}

    private final Store store;
    private final Deque<Entry> queue = new ArrayDeque<>();
    private long next;

    /** The queue as the store holds it (after a restore: the events that were waiting or loading). */
    PendingControls(Store store) throws Exception {
        this.store = store;
        TreeMap<String, ModelControl> sorted = new TreeMap<>();
        for (Map.Entry<String, ModelControl> e : store.entries()) {
            sorted.put(e.getKey(), e.getValue());
        }
        for (Map.Entry<String, ModelControl> e : sorted.entrySet()) {
            queue.add(new Entry(e.getKey(), e.getValue()));
            next = Math.max(next, Long.parseLong(e.getKey()) + 1);
        }
    }

    /**
     * Queues {@code c}; returns the waiting events it replaces (same role, both loading a model), which the caller
     * reports. {@code headLoading}: the first event is loading and stays.
     *
     * @throws IllegalStateException when {@link #MAX_WAITING} events wait already
     */
    List<ModelControl> add(ModelControl c, boolean headLoading) throws Exception {
        List<ModelControl> replaced = new ArrayList<>();
        if (loads(c)) {
            boolean first = true;
            for (var it = queue.iterator(); it.hasNext(); ) {
                Entry e = it.next();
                boolean loadingNow = first && headLoading;
                first = false;
                if (!loadingNow && loads(e.event()) && c.role.equals(e.event().role)) {
                    it.remove();
                    store.remove(e.key());
                    replaced.add(e.event());
                }
            }
        }
        if (queue.size() >= MAX_WAITING) {
            throw new IllegalStateException(MAX_WAITING + " control events are waiting already");
        }
        String key = String.format(java.util.Locale.ROOT, "%019d", next++);
        store.put(key, c);
        queue.add(new Entry(key, c));
        return replaced;
    }

    /** The first event, or null. */
    ModelControl peek() {
        Entry e = queue.peekFirst();
        return e == null ? null : e.event();
    }

    /** Removes the first event (it has been applied). */
    void poll() throws Exception {
        Entry e = queue.pollFirst();
        if (e != null) {
            store.remove(e.key());
        }
    }

    boolean isEmpty() {
        return queue.isEmpty();
    }

    int size() {
        return queue.size();
    }

    /** Whether applying {@code c} means loading a model (a readable event for champion or shadow). */
    static boolean loads(ModelControl c) {
        return c.error == null && !ModelControl.RETIRED.equals(c.role);
    }
}
