package io.github.fraudflink.job;

import io.github.fraudflink.features.Transaction;
import io.github.fraudflink.model.LoadedModel;
import io.github.fraudflink.model.ModelLoader;
import java.net.URI;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * Scores each featurized transaction with the embedded model loaded at start-up, and applies the
 * model's threshold. Each parallel instance holds its own model in memory.
 */
public final class ScoreFunction extends RichMapFunction<FeaturizedTransaction, ScoredTransaction> {
    private static final long serialVersionUID = 1L;

    private final String modelUri;
    private final String modelSha256;
    private transient LoadedModel model;
    private transient Counter declined;
    private transient Counter approved;

    public ScoreFunction(String modelUri, String modelSha256) {
        this.modelUri = modelUri;
        this.modelSha256 = modelSha256;
    }

    @Override
    public void open(OpenContext ctx) throws Exception {
        model = new ModelLoader().load(URI.create(modelUri), modelSha256);
        MetricGroup g = getRuntimeContext().getMetricGroup().addGroup("fraud");
        declined = g.addGroup("decision", ScoredTransaction.DECLINE).counter("events_scored");
        approved = g.addGroup("decision", ScoredTransaction.APPROVE).counter("events_scored");
    }

    @Override
    public ScoredTransaction map(FeaturizedTransaction f) {
        double score = model.scorer().score(f.features);
        ScoredTransaction s = new ScoredTransaction();
        Transaction t = f.transaction;
        s.transactionId = t.transactionId;
        s.accountId = t.accountId;
        s.amount = t.amount;
        s.currency = t.currency;
        s.terminalId = t.terminalId;
        s.merchantId = t.merchantId;
        s.eventTime = t.eventTime;
        s.ingestTime = t.ingestTime;
        s.features = f.features;
        s.duplicate = f.duplicate;
        s.score = score;
        s.threshold = model.threshold();
        s.decision = score >= model.threshold() ? ScoredTransaction.DECLINE : ScoredTransaction.APPROVE;
        (score >= model.threshold() ? declined : approved).inc();
        s.model = model.name();
        s.modelVersion = model.version();
        s.scoredTime = System.currentTimeMillis();
        return s;
    }

    @Override
    public void close() throws Exception {
        if (model != null) {
            model.close();
        }
    }
}
