-- Three decision bands and the reasons for a decision.
-- decision: 'approve', 'review' (review_threshold <= score < threshold: an analyst decides) or 'decline'.
ALTER TABLE scored_transactions DROP CONSTRAINT scored_transactions_decision_check;
ALTER TABLE scored_transactions ADD CONSTRAINT scored_transactions_decision_check
    CHECK (decision IN ('approve', 'review', 'decline'));

ALTER TABLE scored_transactions ADD COLUMN review_threshold double precision;
COMMENT ON COLUMN scored_transactions.review_threshold IS 'Lower edge of the review band (equal to threshold for a'
    ' model without one); NULL on rows written before decision bands, which had no review band.';
ALTER TABLE scored_transactions ADD COLUMN reasons jsonb;
COMMENT ON COLUMN scored_transactions.reasons IS 'For a review or decline by a model that can be explained: the top'
    ' features by exact contribution (TreeSHAP, log-odds), largest first,'
    ' [{"feature": ..., "value": ..., "contribution": ...}]; NULL otherwise.';
ALTER TABLE scored_transactions ADD COLUMN shadow_review_threshold double precision;
ALTER TABLE scored_transactions ADD COLUMN shadow_decision text CHECK (shadow_decision IN ('approve', 'review', 'decline'));
ALTER TABLE scored_transactions ADD COLUMN shadow_reasons jsonb;
COMMENT ON COLUMN scored_transactions.shadow_reasons IS 'The shadow''s reasons, when it would review or decline and'
    ' the champion decided otherwise; NULL otherwise.';

-- live_model_scores gains each row's review band edge (the decline threshold when the row has none).
CREATE OR REPLACE VIEW live_model_scores AS
SELECT s.account_id, s.transaction_id, s.event_time, (s.event_time AT TIME ZONE 'UTC')::date AS day,
       m.model, m.model_version, m.role, m.score, m.threshold, l.is_fraud, l.labelled_at, l.written_at,
       COALESCE(m.review_threshold, m.threshold) AS review_threshold
FROM scored_transactions s
JOIN fraud_labels_latest l ON l.account_id = s.account_id AND l.transaction_id = s.transaction_id
CROSS JOIN LATERAL (VALUES ('champion', s.model, s.model_version, s.score, s.threshold, s.review_threshold),
                           ('shadow', s.shadow_model, s.shadow_version, s.shadow_score, s.shadow_threshold,
                            s.shadow_review_threshold))
    AS m (role, model, model_version, score, threshold, review_threshold)
WHERE m.model IS NOT NULL AND m.score IS NOT NULL;

-- live_model_quality gains the review band; flagged, true_positives, precision and recall stay the decline band's:
--   reviewed                 review_threshold <= score < threshold
--   review_true_positives    of them, fraud
--   review_precision         review_true_positives / reviewed; NULL when nothing was reviewed
--   review_recall            review_true_positives / frauds (the frauds an analyst saw); NULL without frauds
CREATE OR REPLACE VIEW live_model_quality AS
WITH ranked AS (
    SELECT model, model_version, role, day, score, threshold, review_threshold, is_fraud,
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
           avg(frauds_to_rank::double precision / rank) FILTER (WHERE is_fraud) AS average_precision,
           CASE WHEN count(threshold) = count(*)
               THEN count(*) FILTER (WHERE score >= review_threshold AND score < threshold) END AS reviewed,
           CASE WHEN count(threshold) = count(*)
               THEN count(*) FILTER (WHERE score >= review_threshold AND score < threshold AND is_fraud) END
               AS review_true_positives
    FROM ranked
    GROUP BY model, model_version, role, day
)
SELECT model, model_version, role, day, labelled, frauds, flagged, true_positives,
       true_positives::double precision / NULLIF(flagged, 0) AS precision,
       true_positives::double precision / NULLIF(frauds, 0) AS recall,
       average_precision,
       reviewed, review_true_positives,
       review_true_positives::double precision / NULLIF(reviewed, 0) AS review_precision,
       review_true_positives::double precision / NULLIF(frauds, 0) AS review_recall
FROM counted;
COMMENT ON VIEW live_model_quality IS 'Per model, model_version, role (champion/shadow) and UTC day of event_time, over'
    ' the labelled scored transactions: labelled, frauds; the decline band (score >= threshold): flagged,'
    ' true_positives, precision, recall; average_precision; the review band (review_threshold <= score < threshold):'
    ' reviewed, review_true_positives, review_precision, review_recall.';
