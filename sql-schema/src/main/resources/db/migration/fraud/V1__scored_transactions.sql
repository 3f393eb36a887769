-- One row per scored transaction, written by the job's PostgreSQL sink in the transaction of the checkpoint
-- that covers it (PostgreSQL prepared transactions, committed when Flink completes the checkpoint).
-- The columns mirror the scored event on the scored-transactions topic (ScoredTransactionJson).
CREATE TABLE scored_transactions (
    transaction_id  text             PRIMARY KEY,
    account_id      text             NOT NULL,
    amount          double precision NOT NULL,
    currency        text,
    terminal_id     text,
    merchant_id     text,
    event_time      timestamptz      NOT NULL,  -- when the transaction happened (event time)
    ingest_time     timestamptz      NOT NULL,  -- Kafka record timestamp of the input
    scored_time     timestamptz      NOT NULL,  -- wall clock of the scoring instance
    -- {"amount": ..., "tx_count_5m": ..., ...}: named features. jsonb keeps its own key order;
    -- the schema order is the list that feature_schema names.
    features        jsonb            NOT NULL,
    feature_schema  text             NOT NULL,
    score           double precision NOT NULL,  -- probability of fraud
    decision        text             NOT NULL CHECK (decision IN ('approve', 'decline')),
    threshold       double precision NOT NULL,  -- decision = decline when score >= threshold
    model           text             NOT NULL,
    model_version   text             NOT NULL,
    shadow_model    text,
    shadow_version  text,
    shadow_score    double precision,
    -- true when the transaction_id was written again after this row: a repeat that the job could not
    -- recognise (older than fraud.features.slack, or on another account). The row keeps the first values.
    duplicate       boolean          NOT NULL DEFAULT false
);

-- time-range scans (dashboards, latency, back-fills of labels)
CREATE INDEX scored_transactions_event_time_idx ON scored_transactions (event_time);
-- an account's history, newest first
CREATE INDEX scored_transactions_account_time_idx ON scored_transactions (account_id, event_time DESC);
