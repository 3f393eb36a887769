-- A transaction is identified by (account_id, transaction_id): the same transaction_id on two accounts is two
-- transactions, as on the scored-transactions topic and in the job's duplicate detection (which is per account).
-- The job partitions by account, so no two writers ever insert the same key, and a repeat of a key the job could
-- not recognise (older than its history) conflicts only with a row of the same writer.
ALTER TABLE scored_transactions DROP CONSTRAINT scored_transactions_pkey;
ALTER TABLE scored_transactions ADD PRIMARY KEY (account_id, transaction_id);
-- the table holds the first occurrence of each transaction; repeats are flagged on the topic (duplicate: true)
-- and counted in the metric events_duplicate_total
ALTER TABLE scored_transactions DROP COLUMN duplicate;
-- look-ups by transaction_id alone (labels arrive keyed by it)
CREATE INDEX scored_transactions_transaction_idx ON scored_transactions (transaction_id);

-- One marker row per prepared transaction of an exactly-once sink, written inside that transaction. After a
-- restore, "COMMIT PREPARED: no such transaction" means committed earlier when the marker exists, and rolled
-- back by someone else (rows lost) when it does not. Each writer deletes its own old markers.
CREATE TABLE sink_transactions (
    gid          text        PRIMARY KEY,        -- the prepared transaction's name: prefix:job:subtask:label
    prefix       text        NOT NULL,
    subtask      integer     NOT NULL,
    label        bigint      NOT NULL,
    row_count    bigint      NOT NULL,
    prepared_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sink_transactions_writer_idx ON sink_transactions (prefix, subtask, label);
