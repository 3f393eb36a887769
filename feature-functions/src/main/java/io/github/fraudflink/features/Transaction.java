package io.github.fraudflink.features;

import java.util.Map;
import java.util.Objects;

/**
 * A card transaction after parsing and validation: the input event of the job and of the trainer.
 *
 * <p>A Flink POJO (public no-arg constructor, public fields, only types Flink serializes itself), so it
 * travels between operators without Kryo. Optional fields are {@code null} when absent.
 * {@code eventTime} is epoch milliseconds UTC. {@code ingestTime} is the Kafka record timestamp
 * (or the file's order for offline data), never the wall clock of the scoring machine, so replays
 * give the same results.
 */
public class Transaction {
    public String transactionId;
    public String accountId;
    public long eventTime;
    public long ingestTime;
    public double amount;
    public String currency;
    public String terminalId;
    public String merchantId;
    public String merchantCategory;
    public String country;
    public Double lat;
    public Double lon;
    /** Extra numeric fields (for example Kaggle's V1..V28); may be null. */
    public Map<String, Double> attributes;

    public Transaction() {}

    public Transaction(String transactionId, String accountId, long eventTime, double amount) {
        this.transactionId = transactionId;
        this.accountId = accountId;
        this.eventTime = eventTime;
        this.amount = amount;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Transaction)) {
            return false;
        }
        Transaction t = (Transaction) o;
        return eventTime == t.eventTime && ingestTime == t.ingestTime
                && Double.compare(amount, t.amount) == 0
                && Objects.equals(transactionId, t.transactionId) && Objects.equals(accountId, t.accountId)
                && Objects.equals(currency, t.currency) && Objects.equals(terminalId, t.terminalId)
                && Objects.equals(merchantId, t.merchantId) && Objects.equals(merchantCategory, t.merchantCategory)
                && Objects.equals(country, t.country) && Objects.equals(lat, t.lat) && Objects.equals(lon, t.lon)
                && Objects.equals(attributes, t.attributes);
    }

    @Override
    public int hashCode() {
        return Objects.hash(transactionId, accountId, eventTime, amount);
    }

    @Override
    public String toString() {
        return "Transaction{" + transactionId + ", account=" + accountId + ", t=" + eventTime + ", amount=" + amount + '}';
    }
}
