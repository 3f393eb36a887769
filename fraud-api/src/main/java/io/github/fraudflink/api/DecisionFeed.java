package io.github.fraudflink.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The decisions the job writes, matched to the requests waiting for them. One consumer thread reads every partition of
 * the scored-transactions topic from its end at start (no consumer group: each API instance sees every decision);
 * a request registers the (account, transaction id) it waits for <em>before</em> its transaction is published, so no
 * decision can pass unseen. The record's key is the account, so records of accounts nobody waits for are skipped
 * without parsing. Two requests for the same transaction id wait in order and get the job's records in order (the
 * second is the job's {@code duplicate}). Decisions are read {@code read_uncommitted} unless configured otherwise
 * (see docs/api.md).
 */
public final class DecisionFeed implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DecisionFeed.class);
    private static final JsonFactory JSON = new JsonFactory();

    private final KafkaConsumer<byte[], byte[]> consumer;
    /** Per (account, transaction id) the requests waiting, oldest first; only touched inside the map's atomic compute. */
    private final ConcurrentHashMap<String, ArrayDeque<CompletableFuture<byte[]>>> waiting = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, AtomicInteger> accounts = new ConcurrentHashMap<>();
    private final AtomicInteger pending = new AtomicInteger();
    private final int maxPending;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long lastPollMillis = System.currentTimeMillis();
    private volatile Throwable failure;

    /** A wait for one decision: its future and how to give up on it. */
    public final class Wait {
        private final String key;
        private final String account;
        public final CompletableFuture<byte[]> decision = new CompletableFuture<>();

        private Wait(String account, String transactionId) {
            this.account = account;
            this.key = key(account, transactionId);
        }

        /** Stops waiting (timeout, or the transaction was never published); idempotent. */
        public void cancel() {
            boolean[] removed = {false};
            waiting.computeIfPresent(key, (k, q) -> {
                removed[0] = q.remove(decision);
                return q.isEmpty() ? null : q;
            });
            if (removed[0]) {
                forget(account);
            }
        }
    }

    public DecisionFeed(String bootstrap, String topic, boolean readCommitted, int maxPending) {
        this.maxPending = maxPending;
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, readCommitted ? "read_committed" : "read_uncommitted");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "10"); // a decision is waited for: do not batch it
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        consumer = new KafkaConsumer<>(p);
        try {
            List<TopicPartition> parts = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            if (parts.isEmpty()) {
                throw new IllegalStateException("the topic " + topic + " does not exist on " + bootstrap
                        + ": start the scoring job first (it creates its topics), or check fraud.kafka.topic.scored");
            }
            consumer.assign(parts);
            consumer.seekToEnd(parts);
            parts.forEach(consumer::position); // resolved now: a decision written after this returns is seen
        } catch (RuntimeException e) {
            consumer.close();
            throw e;
        }
        thread = new Thread(this::run, "fraud-api-decisions");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Registers a wait for the decision on ({@code account}, {@code transactionId}); call before publishing the
     * transaction. Refused with 503 when {@code fraud.api.max-pending} requests already wait.
     */
    public Wait await(String account, String transactionId) {
        if (failure != null) {
            throw new ApiProblem(503, "decisions_unavailable", "the API cannot read the job's decisions: " + failure);
        }
        if (pending.incrementAndGet() > maxPending) {
            pending.decrementAndGet();
            throw new ApiProblem(503, "too_many_pending", maxPending + " requests already wait for a decision"
                    + " (fraud.api.max-pending); retry later");
        }
        Wait w = new Wait(account, transactionId);
        accounts.computeIfAbsent(account, a -> new AtomicInteger()).incrementAndGet();
        waiting.compute(w.key, (k, q) -> {
            ArrayDeque<CompletableFuture<byte[]>> queue = q == null ? new ArrayDeque<>() : q;
            queue.addLast(w.decision);
            return queue;
        });
        return w;
    }

    /** Requests waiting now. */
    public int pending() {
        return pending.get();
    }

    /** Null while the feed reads; otherwise why it stopped. */
    public String problem() {
        if (failure != null) {
            return "reading the decisions failed: " + failure;
        }
        long since = System.currentTimeMillis() - lastPollMillis;
        return since > 30_000 ? "the decisions reader has not polled for " + since / 1000 + " s" : null;
    }

    private void run() {
        try {
            while (running) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    deliver(r);
                }
                lastPollMillis = System.currentTimeMillis();
            }
        } catch (WakeupException e) {
            // closing
        } catch (Throwable t) {
            failure = t;
            LOG.error("the decisions reader stopped; POST /v1/transactions answers 503 from now on", t);
            waiting.keySet().forEach(k -> waiting.computeIfPresent(k, (key, q) -> {
                q.forEach(f -> f.completeExceptionally(t));
                return null;
            }));
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void deliver(ConsumerRecord<byte[], byte[]> r) {
        if (r.key() == null || accounts.isEmpty()) {
            return;
        }
        String account = new String(r.key(), StandardCharsets.UTF_8);
        if (!accounts.containsKey(account)) {
            return;
        }
        String txId = transactionId(r.value());
        if (txId == null) {
            return;
        }
        List<CompletableFuture<byte[]>> first = new ArrayList<>(1);
        waiting.computeIfPresent(key(account, txId), (k, q) -> {
            first.add(q.pollFirst());
            return q.isEmpty() ? null : q;
        });
        CompletableFuture<byte[]> f = first.isEmpty() ? null : first.get(0);
        if (f != null) {
            forget(account);
            f.complete(r.value());
        }
    }

    private void forget(String account) {
        pending.decrementAndGet();
        accounts.computeIfPresent(account, (a, n) -> n.decrementAndGet() <= 0 ? null : n);
    }

    /** The {@code transaction_id} of a scored record (a top-level field), or null. */
    public static String transactionId(byte[] json) {
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                if ("transaction_id".equals(name)) {
                    return v == JsonToken.VALUE_STRING ? p.getText() : null;
                }
                p.skipChildren();
            }
            return null;
        } catch (IOException e) {
            return null;
        }
    }

    private static String key(String account, String transactionId) {
        return account + '\u0000' + transactionId;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(10_000);
    }
}
