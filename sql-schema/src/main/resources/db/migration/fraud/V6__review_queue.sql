-- The analyst review queue and the history panels of the API (fraud-api, DecisionStore):
-- flagged decisions (review or decline), riskiest or newest first, and a terminal's latest decisions.
-- Partial indexes: flagged rows are about 1% of the traffic.
CREATE INDEX scored_transactions_flagged_score_idx ON scored_transactions (score DESC, event_time DESC)
    WHERE decision <> 'approve';
CREATE INDEX scored_transactions_flagged_time_idx ON scored_transactions (event_time DESC, score DESC)
    WHERE decision <> 'approve';
CREATE INDEX scored_transactions_terminal_time_idx ON scored_transactions (terminal_id, event_time DESC);
