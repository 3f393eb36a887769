package io.github.fraudflink.features;

/**
 * A delayed ground-truth label of a transaction (a chargeback, an analyst's verdict, a replayed dataset's label), as
 * it arrives on {@code fraud-labels}. A Flink POJO. Times are epoch milliseconds UTC: {@code eventTime} is the
 * transaction's, {@code labelledAt} when the verdict became known. Of two labels of one transaction, the one with
 * the later {@code labelledAt} holds (an analyst can reverse a chargeback); at the same instant, fraud holds.
 */
public class Label {
    public String transactionId;
    public String accountId;
    /** The terminal (else the merchant) of the transaction; may be null. */
    public String terminalId;
    public long eventTime;
    public boolean isFraud;
    public long labelledAt;
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

    @Override
    public String toString() {
        return "Label{" + transactionId + ", account=" + accountId + ", fraud=" + isFraud + ", at=" + labelledAt
                + ", source=" + source + '}';
    }
}
