-- Labels (chargebacks, analyst verdicts) from the topic fraud-labels, and the live quality of the models they give.
-- A transaction is (account_id, transaction_id), as in scored_transactions. Of two labels of one transaction the
-- later labelled_at holds; at the same labelled_at, fraud holds.

-- Every label received, reversed ones included (the audit trail). The key makes writing a label again a no-op, so
-- the exactly-once sink may replay rows after a restore; a second label with the same labelled_at and verdict but
-- another source keeps the first row.
CREATE TABLE fraud_labels (
    transaction_id  text        NOT NULL,
    account_id      text        NOT NULL,
    terminal_id     text,                           -- the terminal (else the merchant) of the transaction
    event_time      timestamptz NOT NULL,           -- the transaction's event time
    is_fraud        boolean     NOT NULL,
    labelled_at     timestamptz NOT NULL,           -- when the verdict became known
    source          text        NOT NULL,           -- e.g. chargeback, analyst, replay
    written_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, transaction_id, labelled_at, is_fraud)
);
COMMENT ON TABLE fraud_labels IS 'Every label received on fraud-labels (history for audit); one row per'
    ' (account_id, transaction_id, labelled_at, is_fraud), so writing a label again is a no-op. The label that holds:'
    ' fraud_labels_latest.';

-- The shadow model's own threshold (its decision would be shadow_score >= shadow_threshold). NULL on rows without
-- a shadow, and on shadow rows written before this column existed.
ALTER TABLE scored_transactions ADD COLUMN shadow_threshold double precision;
COMMENT ON COLUMN scored_transactions.shadow_threshold IS 'Threshold of the shadow model; NULL without a shadow and'
    ' on rows written before migration V3.';

-- The label that holds per transaction. The ORDER BY is the primary key read backwards, so the planner may use the
-- index instead of a sort.
CREATE VIEW fraud_labels_latest AS
SELECT DISTINCT ON (account_id, transaction_id)
       transaction_id, account_id, terminal_id, event_time, is_fraud, labelled_at, source, written_at
FROM fraud_labels
ORDER BY account_id DESC, transaction_id DESC, labelled_at DESC, is_fraud DESC;
COMMENT ON VIEW fraud_labels_latest IS 'One row per (account_id, transaction_id) of fraud_labels: the label that holds'
    ' (the latest labelled_at; at the same labelled_at, fraud).';

-- One row per labelled scored transaction and model that scored it: the champion, and the shadow when there was one
-- (and it gave a score). Labels of transactions that were never scored are not here.
CREATE VIEW live_model_scores AS
SELECT s.account_id, s.transaction_id, s.event_time, (s.event_time AT TIME ZONE 'UTC')::date AS day,
       m.model, m.model_version, m.role, m.score, m.threshold, l.is_fraud, l.labelled_at, l.written_at
FROM scored_transactions s
JOIN fraud_labels_latest l ON l.account_id = s.account_id AND l.transaction_id = s.transaction_id
CROSS JOIN LATERAL (VALUES ('champion', s.model, s.model_version, s.score, s.threshold),
                           ('shadow', s.shadow_model, s.shadow_version, s.shadow_score, s.shadow_threshold))
    AS m (role, model, model_version, score, threshold)
WHERE m.model IS NOT NULL AND m.score IS NOT NULL;
COMMENT ON VIEW live_model_scores IS 'One row per scored transaction with a label (fraud_labels_latest) and per model'
    ' that scored it (role champion or shadow): score, threshold, is_fraud, labelled_at, written_at (when the label'
    ' reached the database), day = UTC date of event_time.'
    ' The input of live_model_quality.';

-- Per model, version, role and UTC day of the transactions' event time:
--   labelled            scored transactions with a label
--   frauds              of them, labelled fraud
--   flagged             of them, score >= threshold
--   true_positives      flagged and fraud
--   precision           true_positives / flagged; NULL when nothing was flagged
--   recall              true_positives / frauds; NULL when there are no frauds
--   average_precision   the group's rows ranked by score descending: the mean over the frauds of the precision at
--                       the fraud's rank (frauds up to that rank / rank); NULL when there are no frauds. Equal scores
--                       are ranked by transaction_id, then account_id (byte order, COLLATE "C"), so the figure is
--                       deterministic; it is not the tie-averaged AP of scikit-learn.
-- flagged, true_positives, precision and recall are NULL for a group with a row whose threshold is unknown (shadow
-- rows written before shadow_threshold existed). Recent days are only partly labelled: labels come days later.
CREATE VIEW live_model_quality AS
WITH ranked AS (
    SELECT model, model_version, role, day, score, threshold, is_fraud,
           row_number() OVER w AS rank,
           count(*) FILTER (WHERE is_fraud) OVER w AS frauds_to_rank
    FROM live_model_scores
    WINDOW w AS (PARTITION BY model, model_version, role, day
                 ORDER BY score DESC, transaction_id COLLATE "C", account_id COLLATE "C" ROWS UNBOUNDED PRECEDING)
), counted AS (
    SELECT model, model_version, role, day,
           count(*) AS labelled,
           count(*) FILTER (WHERE is_fraud) AS frauds,
           CASE WHEN count(threshold) = count(*) THEN count(*) FILTER (WHERE score >= threshold) END AS flagged,
           CASE WHEN count(threshold) = count(*) THEN count(*) FILTER (WHERE score >= threshold AND is_fraud) END
               AS true_positives,
           avg(frauds_to_rank::double precision / rank) FILTER (WHERE is_fraud) AS average_precision
    FROM ranked
    GROUP BY model, model_version, role, day
)
SELECT model, model_version, role, day, labelled, frauds, flagged, true_positives,
       true_positives::double precision / NULLIF(flagged, 0) AS precision,
       true_positives::double precision / NULLIF(frauds, 0) AS recall,
       average_precision
FROM counted;
COMMENT ON VIEW live_model_quality IS 'Per model, model_version, role (champion/shadow) and UTC day of event_time, over'
    ' the labelled scored transactions: labelled, frauds, flagged (score >= threshold), true_positives, precision'
    ' (NULL when nothing flagged), recall (NULL without frauds), average_precision (rows ranked by score desc, ties by'
    ' transaction_id then account_id, COLLATE "C"; NULL without frauds). flagged..recall are NULL when a row of the'
    ' group has no threshold. Counts add up over days; average_precision does not.';
