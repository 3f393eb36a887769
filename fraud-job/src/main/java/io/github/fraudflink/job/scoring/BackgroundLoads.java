package io.github.fraudflink.job.scoring;

import io.github.fraudflink.job.records.ModelControl;
import io.github.fraudflink.model.LoadedModel;
import io.github.fraudflink.model.ModelArtifact;
import io.github.fraudflink.model.ModelLoader;
import io.github.fraudflink.model.ModelRejectedException;
import java.net.URI;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.apache.flink.api.common.operators.MailboxExecutor;

/**
 * Fetches and verifies control events' models on a thread of their own, one at a time, and hands each outcome to
 * the task thread (the operator's mailbox), so that no artifact store, however slow, and no model, however large,
 * holds up scoring. Every load is bounded by the {@link ModelLoader}'s byte limit and deadline.
 */
final class BackgroundLoads implements AutoCloseable {
    /** Receives a load's outcome on the task thread. */
    interface Done {
        void accept(Outcome o) throws Exception;
    }

    /** What a load gave: the model and its bytes, or why it was refused; and how long it took. */
    record Outcome(ModelControl event, LoadedModel model, ModelArtifact artifact, ModelRejectedException error, long millis) {}

    private final ModelLoader loader;
    private final MailboxExecutor taskThread;
    private final ExecutorService thread;
    private boolean busy;

    /**
     * @param taskThread runs the outcomes where the operator's state may be touched (its mailbox)
     * @param threadName the loading thread's name, for thread dumps
     */
    BackgroundLoads(ModelLoader loader, MailboxExecutor taskThread, String threadName) {
        this.loader = loader;
        this.taskThread = taskThread;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
    }

    /** Whether a load is under way (then {@link #start} must wait). Task thread only. */
    boolean busy() {
        return busy;
    }

    /** Starts loading {@code c}'s model; {@code done} runs on the task thread with the outcome. Task thread only. */
    void start(ModelControl c, Done done) {
        if (busy) {
            throw new IllegalStateException("a model load is under way");
        }
        busy = true;
        thread.execute(() -> {
            Outcome o = load(loader, c);
            try {
                taskThread.execute(() -> {
                    busy = false;
                    done.accept(o);
                }, "apply the model of %s", c);
            } catch (RejectedExecutionException closing) {
                if (o.model() != null) {
                    o.model().close(); // the operator is closing: nobody will score with it
                }
            }
        });
    }

    /** Loads {@code c}'s model on the calling thread: what the background thread runs. */
    static Outcome load(ModelLoader loader, ModelControl c) {
        long t0 = System.nanoTime();
        try {
            long deadline = loader.deadline();
            ModelArtifact a = loader.fetch(URI.create(c.manifestUri), c.manifestSha256, deadline);
            LoadedModel m = loader.build(a, deadline);
            return new Outcome(c, m, a, null, (System.nanoTime() - t0) / 1_000_000);
        } catch (ModelRejectedException e) {
            return new Outcome(c, null, null, e, (System.nanoTime() - t0) / 1_000_000);
        } catch (RuntimeException e) { // a URI that does not parse, and anything a library throws
            return new Outcome(c, null, null, new ModelRejectedException(ModelRejectedException.Reason.UNREACHABLE,
                    "cannot load " + c.manifestUri + ": " + e, e), (System.nanoTime() - t0) / 1_000_000);
        } catch (OutOfMemoryError e) { // the byte limit is above what this TaskManager can hold
            return new Outcome(c, null, null, new ModelRejectedException(ModelRejectedException.Reason.TOO_LARGE,
                    c.manifestUri + " does not fit in this TaskManager's memory: lower fraud.model.max-bytes or give the"
                    + " TaskManager more heap", null), (System.nanoTime() - t0) / 1_000_000);
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
