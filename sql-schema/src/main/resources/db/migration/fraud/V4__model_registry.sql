-- The model registry: every model version registered, its alias (champion, shadow, archived), the history of every
-- alias change, and the outbox of model-control events. An alias change, its history row and its control event are
-- written in one transaction; a publisher sends the outbox to the model-control topic in id order and marks what it
-- sent, so the registry and the topic cannot disagree for longer than it takes to drain the outbox.

CREATE TABLE model_versions (
    model            text             NOT NULL,
    version          text             NOT NULL,
    format           text             NOT NULL,                -- xgboost-json, xgboost-ubj, pmml
    manifest_uri     text             NOT NULL,                -- where the job reads it (file://, http(s)://)
    manifest_sha256  text             NOT NULL,
    files            jsonb            NOT NULL,                -- {"model.json": sha256, ...}
    feature_schema   text             NOT NULL,
    feature_names    jsonb            NOT NULL,                -- ["amount", ...], the model's input order
    threshold        double precision NOT NULL,
    -- {"source": ..., "from": ..., "to": ..., "rows": ..., "labels_known_by": ..., "hash": ...}
    training_data    jsonb            NOT NULL,
    offline_metrics  jsonb            NOT NULL,                -- the manifest's metrics
    -- retraining: challenger and champion on the same later labelled window, and each gate's verdict
    evaluation       jsonb,
    alias            text             NOT NULL DEFAULT 'none'
                     CHECK (alias IN ('none', 'champion', 'shadow', 'archived')),
    registered_by    text             NOT NULL,
    registered_at    timestamptz      NOT NULL DEFAULT now(),
    PRIMARY KEY (model, version)
);
-- one champion and one shadow in all, as the job has one of each (whatever the model's name)
CREATE UNIQUE INDEX model_versions_live_idx ON model_versions (alias) WHERE alias IN ('champion', 'shadow');
COMMENT ON TABLE model_versions IS 'Every registered model version: manifest, checksums, features, training data,'
    ' offline metrics, the retraining evaluation, and its alias (none, champion, shadow, archived).';

CREATE TABLE model_alias_history (
    id          bigserial   PRIMARY KEY,
    model       text        NOT NULL,
    version     text        NOT NULL,
    alias_from  text        NOT NULL,
    alias_to    text        NOT NULL,
    changed_by  text        NOT NULL,
    changed_at  timestamptz NOT NULL DEFAULT now(),
    reason      text        NOT NULL,
    forced      boolean     NOT NULL DEFAULT false,        -- a gate refused and the change was forced
    FOREIGN KEY (model, version) REFERENCES model_versions (model, version)
);
CREATE INDEX model_alias_history_model_idx ON model_alias_history (model, id);
COMMENT ON TABLE model_alias_history IS 'Every alias change: who, when, why, and whether a gate was overridden.';

CREATE TABLE model_control_outbox (
    id            bigserial   PRIMARY KEY,
    -- the record key on model-control: the role the event is about (champion; shadow for a shadow and for its
    -- retirement), so that compaction keeps exactly the last champion and the last shadow event, what the job holds
    record_key    text        NOT NULL,
    event         text        NOT NULL,                    -- the record value: the model-control event as JSON
    history_id    bigint      REFERENCES model_alias_history (id),
    created_at    timestamptz NOT NULL DEFAULT now(),
    published_at  timestamptz                              -- NULL until the broker acknowledged it
);
CREATE INDEX model_control_outbox_pending_idx ON model_control_outbox (id) WHERE published_at IS NULL;
COMMENT ON TABLE model_control_outbox IS 'The model-control events of alias changes, written with them; sent to the'
    ' topic in id order by the publisher every ./fraud model command runs; published_at set once the broker acked.';
