package io.github.fraudflink.features;

/**
 * A delayed ground-truth label of a transaction (a chargeback, an analyst's verdict, a replayed dataset's label), as
 * it arrives on {@code fraud-labels}. A Flink POJO. Times are epoch milliseconds UTC: {@code eventTime} is the
 * transaction's, {@code labelledAt} when the verdict was made, {@code knownAt} when it entered the system (the Kafka
 * record's timestamp unless the message says {@code known_at}, as a replay of a dataset does; never before
 * {@code labelledAt}). Of two labels of one transaction, the one with the later {@code labelledAt} holds (an analyst
 * can reverse a chargeback); at the same instant, fraud holds. Terminal features count a label from {@code knownAt}.
 */
public class Label {
    public String transactionId;
    public String accountId;
    /** The terminal (else the merchant) of the transaction; may be null. */
    public String terminalId;
    public long eventTime;
    public boolean isFraud;
    public long labelledAt;
    /** When the verdict entered the system; 0 in a label not yet sent (a producer's: the record timestamp then says it). */
    public long knownAt;
    /** Where the verdict comes from, e.g. {@code chargeback}, {@code analyst}, {@code replay}. */
    public String source;

    public Label() {}

    /** The label of {@code tx}: its identity, its terminal (else merchant) and event time, and the verdict. */
    public static Label of(Transaction tx, boolean isFraud, long labelledAt, String source) {
        Label l = new Label();
        l.transactionId = tx.transactionId;
        l.accountId = tx.accountId;
        l.terminalId = tx.terminalId != null ? tx.terminalId : tx.merchantId;
        l.eventTime = tx.eventTime;
        l.isFraud = isFraud;
        l.labelledAt = labelledAt;
        l.source = source;
        return l;
    }

    /** {@link #of}, known at {@code knownAt}: a replay of a dataset, where the verdict is known when it is made. */
    public static Label of(Transaction tx, boolean isFraud, long labelledAt, long knownAt, String source) {
        Label l = of(tx, isFraud, labelledAt, source);
        l.knownAt = knownAt;
        return l;
    }

    @Override
    public String toString() {
        return "Label{" + transactionId + ", account=" + accountId + ", fraud=" + isFraud + ", at=" + labelledAt
                + ", source=" + source + '}';
    }
}
