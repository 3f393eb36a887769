package io.github.fraudflink.job;

import io.github.fraudflink.features.Transaction;
import io.github.fraudflink.features.TransactionJson;
import io.github.fraudflink.job.input.RouteInvalid;
import io.github.fraudflink.job.kafka.KafkaRecords;
import io.github.fraudflink.job.records.RecordTypes;
import java.nio.charset.StandardCharsets;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The benchmark's ceiling: the scoring job's input and output path without its work. The same transactions source,
 * parse + validate with dead letters routed to the DLQ, and an exactly-once Kafka sink writing each valid transaction
 * back as JSON to {@code outputTopic}; no keyed state, no features, no model. What the scoring job reaches as a share
 * of this, in the same run, is what its features and scoring cost ({@code ./fraud bench}).
 */
public final class PassThroughJob {
    private PassThroughJob() {}

    /** Adds the pass-through pipeline to {@code env}; its output goes to {@code outputTopic}. */
    public static void build(StreamExecutionEnvironment env, ReadableConfig conf, String outputTopic) {
        JobOptions.validate(conf);
        TopicSetup.requireTopics(conf, java.util.List.of(conf.get(JobOptions.TOPIC_TRANSACTIONS), outputTopic));
        FraudScoringJob.configureEnvironment(env, conf);
        String bootstrap = conf.get(JobOptions.BOOTSTRAP_SERVERS);
        SingleOutputStreamOperator<Transaction> transactions = env
                .fromSource(FraudScoringJob.transactionSource(conf), FraudScoringJob.watermarks(conf), "transactions")
                .uid("kafka-transactions-source")
                .process(RouteInvalid.transactions(), RecordTypes.TRANSACTION)
                .uid("route-invalid").name("parse + validate");
        transactions.getSideOutput(RouteInvalid.DEAD_LETTERS)
                .sinkTo(FraudScoringJob.exactlyOnceSink(conf, bootstrap, "dlq", new KafkaRecords.DeadLetters(conf.get(JobOptions.TOPIC_DLQ))))
                .uid("kafka-dlq-sink").name("transactions-dlq");
        transactions
                .sinkTo(FraudScoringJob.exactlyOnceSink(conf, bootstrap, "pass-through", new TransactionRecords(outputTopic)))
                .uid("kafka-pass-through-sink").name(outputTopic);
    }

    /** Valid transactions as JSON, keyed by account, as they came in. */
    static final class TransactionRecords implements KafkaRecordSerializationSchema<Transaction> {
        private static final long serialVersionUID = 1L;
        private final String topic;

        TransactionRecords(String topic) {
            this.topic = topic;
        }

        @Override
        public ProducerRecord<byte[], byte[]> serialize(Transaction t, KafkaSinkContext ctx, Long timestamp) {
            return new ProducerRecord<>(topic, t.accountId.getBytes(StandardCharsets.UTF_8), TransactionJson.write(t));
        }
    }
}
