package io.github.fraudflink.job.batch;

import io.github.fraudflink.data.DatasetReader;
import io.github.fraudflink.features.Label;
import io.github.fraudflink.features.Transaction;
import io.github.fraudflink.job.FraudScoringJob;
import io.github.fraudflink.job.JobOptions;
import io.github.fraudflink.job.features.TerminalFeaturesFunction;
import io.github.fraudflink.job.input.RouteInvalid;
import io.github.fraudflink.job.records.DeadLetter;
import io.github.fraudflink.job.records.ModelControl;
import io.github.fraudflink.job.records.ParsedRecord;
import io.github.fraudflink.job.records.RecordTypes;
import io.github.fraudflink.job.records.ScoredTransaction;
import java.time.Duration;
import java.util.Locale;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Scores a file through the scoring job's own graph, in Flink's batch execution mode. The data path, top-down:
 *
 * <pre>
 * input file (bounded) -> rows, checked with the job's parser -> (rejected) -----------------------> rejects file
 *                      -> transactions -> keyBy(account) -> account features   (the streaming job's functions)
 *                      -> keyBy(terminal) -> terminal features <- labels (the file's label column, known
 *                         fraud.labels.delay after each transaction; or a labels file)
 *                      -> score (fraud.model.uri) -> scored file (CSV or JSON lines)
 * </pre>
 *
 * <p>The feature functions and the scorer are {@link FraudScoringJob#features} and {@link FraudScoringJob#score}: the
 * same code, the same keys. What batch execution changes, the functions handle: each key's records come sorted by
 * event time rather than in arrival order, so transactions of one account at one instant are computed in file order,
 * and the terminal stage takes "every earlier record of this terminal has arrived" as its watermark. A file's rows
 * therefore get the features and scores the streaming job gives when the same rows are published in event-time order
 * (file order within a timestamp) with the same labels; the batch/stream parity test checks it row for row.
 *
 * <p>Memory: the sorts spill to disk (Flink's managed memory), and the feature stages hold one key at a time, so
 * a file of any length fits; only one account's (or terminal's) rows are in memory at once. Rows come out in the order
 * of the terminal stage (not the file's): the {@code line} column gives the file order.
 *
 * <p>Run it with {@code ./fraud score} (local), or {@code flink run -c io.github.fraudflink.job.batch.BatchScoringJob
 * fraud-job-*-job.jar --fraud.batch.input ... --fraud.batch.output ...} (paths on the TaskManagers' file system).
 * Options: {@link BatchOptions}, and the job's {@code fraud.features.*}, {@code fraud.labels.*}, {@code fraud.model.*},
 * {@code fraud.parser.*}.
 */
public final class BatchScoringJob {
    private BatchScoringJob() {}

    public static void main(String[] args) throws Exception {
        Configuration conf = JobOptions.fromArgs(args, BatchOptions.ALL);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        build(env, conf);
        env.execute("fraud-batch-scoring");
    }

    /** Adds the batch graph to {@code env} and sets batch execution. */
    public static void build(StreamExecutionEnvironment env, ReadableConfig conf) {
        BatchOptions.validate(conf);
        Configuration mode = new Configuration();
        mode.set(ExecutionOptions.RUNTIME_MODE, RuntimeExecutionMode.BATCH);
        mode.set(PipelineOptions.GENERIC_TYPES, false);
        mode.set(PipelineOptions.OBJECT_REUSE, true); // as in the streaming job (FraudScoringJob#configureEnvironment)
        env.configure(mode);

        String input = conf.get(BatchOptions.INPUT);
        DatasetReader.Format format = DatasetReader.Format.of(conf.get(BatchOptions.FORMAT).toLowerCase(Locale.ROOT), null);
        boolean labelsFile = conf.getOptional(BatchOptions.LABELS).isPresent();
        Duration delay = conf.get(JobOptions.LABEL_DELAY);

        SingleOutputStreamOperator<Transaction> transactions = env
                .fromSource(FileSource.forRecordStreamFormat(new FileRowFormat(format, JobOptions.transactionParser(conf),
                        !labelsFile, delay, new Path(input).getName()), new Path(input)).build(),
                        timestamps(conf), "input file")
                .uid("file-source")
                .process(new SplitRows(), RecordTypes.TRANSACTION).uid("split-rows").name("rows");

        DataStream<Label> labels = transactions.getSideOutput(SplitRows.LABELS);
        DataStream<DeadLetter> rejects = transactions.getSideOutput(RouteInvalid.DEAD_LETTERS);
        if (labelsFile) {
            String path = conf.get(BatchOptions.LABELS);
            SingleOutputStreamOperator<Transaction> fromFile = env
                    .fromSource(FileSource.forRecordStreamFormat(new LabelLinesFormat(JobOptions.labelParser(conf),
                            new Path(path).getName()), new Path(path)).build(), timestamps(conf), "labels file")
                    .uid("labels-file-source")
                    .process(new SplitRows(), RecordTypes.TRANSACTION).uid("split-labels").name("labels");
            labels = fromFile.getSideOutput(SplitRows.LABELS);
            rejects = rejects.union(fromFile.getSideOutput(RouteInvalid.DEAD_LETTERS));
        }
        rejects.sinkTo(new SingleFileSink<>(BatchOptions.rejects(conf), new Rejects()))
                .setParallelism(1).uid("rejects-sink").name("rejects file");

        DataStream<ScoredTransaction> scored = FraudScoringJob.score(
                FraudScoringJob.features(transactions, labels, conf, true), noModelControl(env), conf);

        scored.sinkTo(new SingleFileSink<>(conf.get(BatchOptions.OUTPUT),
                        ScoredRows.encoder(conf.get(BatchOptions.OUTPUT_FORMAT).toLowerCase(Locale.ROOT))))
                .setParallelism(1).uid("scored-sink").name("scored file");
    }

    /**
     * Event time as the streaming job stamps it: a transaction's event time; a label's {@code known_at + L - d}
     * ({@link TerminalFeaturesFunction#labelTimestamp}), so a label meets the transactions it may count.
     */
    static WatermarkStrategy<ParsedRecord> timestamps(ReadableConfig conf) {
        Duration delay = conf.get(JobOptions.LABEL_DELAY);
        Duration lag = conf.get(JobOptions.LABEL_LAG);
        return WatermarkStrategy.<ParsedRecord>noWatermarks().withTimestampAssigner((r, ignored) ->
                r.label != null ? TerminalFeaturesFunction.labelTimestamp(r.label, delay, lag) : r.timestamp());
    }

    /** No model-control events: the model of {@code fraud.model.uri} scores every row. */
    private static DataStream<ModelControl> noModelControl(StreamExecutionEnvironment env) {
        return env.fromSequence(0, 0).uid("no-model-control-source").name("no model control")
                .flatMap((Long x, org.apache.flink.util.Collector<ModelControl> out) -> { })
                .returns(TypeInformation.of(ModelControl.class)).uid("no-model-control").name("no model control")
                .broadcast();
    }
}
