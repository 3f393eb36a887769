package io.github.fraudflink.trainer.sim;

import io.github.fraudflink.data.LabelledTransaction;

import io.github.fraudflink.features.Transaction;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Deterministic, seeded port of the Fraud Detection Handbook's transaction data simulator (Le Borgne et al.,
 * chapter "Transaction data simulator"): labelled transactions in event-time order.
 *
 * <p>Generation, as published: customers at uniform (x, y) in [0,100]², {@code mean_amount ~ U(5,100)},
 * {@code std_amount = mean_amount/2}, {@code mean_nb_tx_per_day ~ U(0,4)}; terminals at uniform (x, y); a customer
 * uses the terminals at distance {@code < radius}. Per customer and day: {@code Poisson(mean_nb_tx_per_day)}
 * transactions, each at {@code int(Normal(43200, 20000))} seconds into the day, dropped unless in (0, 86400); amount
 * {@code Normal(mean, std)}, redrawn {@code U(0, 2*mean)} if negative, rounded to cents (so 0.00 can occur, as in the
 * handbook's data); terminal uniform among the customer's terminals, no transaction if it has none.
 *
 * <p>Frauds, in the handbook's order (a later scenario overrides an earlier one's label): (1) amount {@code > 220};
 * (2) each day 2 distinct random terminals are compromised and all their transactions of that day and the next 27
 * are frauds; (3) each day 3 distinct random customers are compromised, and {@code floor(n/3)} of the {@code n}
 * transactions of those customers on that day and the next 13 are drawn without replacement, their amount
 * multiplied by 5, and marked fraud (a transaction drawn twice by overlapping draws is multiplied twice, as in the
 * handbook). As in the handbook's loop {@code for day in range(TX_TIME_DAYS.max())}, there are no draws on the last
 * day. Scenario 1 looks at the amount before any multiplication.
 *
 * <p>Randomness: {@link SplittableRandom} only. From {@code new SplittableRandom(seed)}, streams are split in this
 * fixed order: customer profiles, terminal locations, fraud draws, then one stream per customer (by id) for its
 * transactions, so a customer's transactions do not depend on the others'. Normal and Poisson are sampled by
 * {@link Sampling} with {@link StrictMath}: output is bit-for-bit the same on every JVM.
 *
 * <p>Output: days are generated one at a time, with a look-ahead of 13 days for scenario 3 (about 14 days of
 * transactions in memory). Within a day, transactions are ordered by time, then customer id, then draw order;
 * transaction ids are sequential from 0. Each {@link #iterator()} starts a new, identical run. The
 * {@link Transaction} has {@code accountId} {@code "C%05d"} of the customer id, {@code terminalId} {@code "T%05d"}
 * of the terminal id, {@code eventTime = ingestTime} (epoch millis UTC), currency EUR, and the customer's grid
 * location as {@code lat = y - 50}, {@code lon = x - 50} (grid units read as degrees, rounded to 1e-6, so that they
 * are valid coordinates).
 */
public final class TransactionSimulator implements Iterable<LabelledTransaction> {

    public static final double FRAUD_AMOUNT_THRESHOLD = 220.0;
    public static final int COMPROMISED_TERMINALS_PER_DAY = 2;
    public static final int TERMINAL_COMPROMISE_DAYS = 28;
    public static final int COMPROMISED_CUSTOMERS_PER_DAY = 3;
    public static final int CUSTOMER_COMPROMISE_DAYS = 14;
    public static final int CUSTOMER_FRAUD_MULTIPLIER = 5;

    private static final int DAY_SECONDS = 86_400;
    private static final double TIME_MEAN = DAY_SECONDS / 2.0;
    private static final double TIME_STD = 20_000;
    private static final String CURRENCY = "EUR";

    /** A customer profile as the handbook draws it; (x, y) on the 100x100 grid. */
    public record Customer(int id, double x, double y, double meanAmount, double stdAmount, double meanNbTxPerDay) {}

    /** A terminal location on the 100x100 grid. */
    public record Terminal(int id, double x, double y) {}

    private final SimulatorConfig config;
    private final long startMillis;
    private final Customer[] customers;
    private final Terminal[] terminals;
    private final int[][] available;
    private final String[] accountIds;
    private final String[] terminalIds;
    private final Double[] lats;
    private final Double[] lons;

    public TransactionSimulator(SimulatorConfig config) {
        this.config = config;
        this.startMillis = config.startDate().atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        SplittableRandom[] streams = streams(config.seed(), 0);
        int nc = config.customers();
        int nt = config.terminals();
        customers = new Customer[nc];
        accountIds = new String[nc];
        lats = new Double[nc];
        lons = new Double[nc];
        SplittableRandom rng = streams[0];
        for (int c = 0; c < nc; c++) {
            double x = Sampling.uniform(rng, 0, 100);
            double y = Sampling.uniform(rng, 0, 100);
            double mean = Sampling.uniform(rng, 5, 100);
            double nb = Sampling.uniform(rng, 0, 4);
            customers[c] = new Customer(c, x, y, mean, mean / 2, nb);
            accountIds[c] = String.format("C%05d", c);
            lats[c] = Math.round((y - 50) * 1e6) / 1e6;
            lons[c] = Math.round((x - 50) * 1e6) / 1e6;
        }
        terminals = new Terminal[nt];
        terminalIds = new String[nt];
        rng = streams[1];
        for (int t = 0; t < nt; t++) {
            terminals[t] = new Terminal(t, Sampling.uniform(rng, 0, 100), Sampling.uniform(rng, 0, 100));
            terminalIds[t] = String.format("T%05d", t);
        }
        available = terminalsWithinRadius(customers, terminals, config.radius());
    }

    public SimulatorConfig config() {
        return config;
    }

    /** Customer profiles, indexed by customer id. */
    public List<Customer> customers() {
        return List.of(customers);
    }

    /** Terminal locations, indexed by terminal id. */
    public List<Terminal> terminals() {
        return List.of(terminals);
    }

    /** Ids of the terminals the customer uses (distance {@code < radius}), ascending. */
    public int[] availableTerminals(int customerId) {
        return available[customerId].clone();
    }

    /** A new run: all transactions of all days in event-time order. */
    @Override
    public Iterator<LabelledTransaction> iterator() {
        return new Run();
    }

    /** {@link #iterator()} as a sequential stream. */
    public Stream<LabelledTransaction> stream() {
        return StreamSupport.stream(
                Spliterators.spliteratorUnknownSize(iterator(), Spliterator.ORDERED | Spliterator.NONNULL), false);
    }

    /** Streams split from the seed in fixed order: 0 customers, 1 terminals, 2 frauds, 3+c customer c. */
    private static SplittableRandom[] streams(long seed, int customers) {
        SplittableRandom root = new SplittableRandom(seed);
        SplittableRandom[] s = new SplittableRandom[3 + customers];
        for (int i = 0; i < s.length; i++) {
            s[i] = root.split();
        }
        return s;
    }

    private static int[][] terminalsWithinRadius(Customer[] customers, Terminal[] terminals, double r) {
        Terminal[] byX = terminals.clone();
        Arrays.sort(byX, Comparator.comparingDouble(Terminal::x).thenComparingInt(Terminal::id));
        double[] xs = Arrays.stream(byX).mapToDouble(Terminal::x).toArray();
        int[][] result = new int[customers.length][];
        for (Customer c : customers) {
            int i = Arrays.binarySearch(xs, c.x() - r);
            i = i < 0 ? -i - 1 : i;
            while (i > 0 && xs[i - 1] >= c.x() - r) { // binarySearch may land on any of equal keys
                i--;
            }
            int[] ids = new int[16];
            int n = 0;
            for (; i < byX.length && byX[i].x() <= c.x() + r; i++) {
                double dx = byX[i].x() - c.x();
                double dy = byX[i].y() - c.y();
                if (Math.sqrt(dx * dx + dy * dy) < r) {
                    if (n == ids.length) {
                        ids = Arrays.copyOf(ids, 2 * n);
                    }
                    ids[n++] = byX[i].id();
                }
            }
            ids = Arrays.copyOf(ids, n);
            Arrays.sort(ids);
            result[c.id()] = ids;
        }
        return result;
    }

    /** A transaction being simulated; mutable until its day is emitted. */
    private static final class Tx {
        final int customer;
        final int terminal;
        final int second;
        final long originalCents;
        long cents;
        boolean customerFraud;

        Tx(int customer, int terminal, int second, long cents) {
            this.customer = customer;
            this.terminal = terminal;
            this.second = second;
            this.originalCents = cents;
            this.cents = cents;
        }
    }

    /** One pass over the days, generating {@link #CUSTOMER_COMPROMISE_DAYS} - 1 days ahead. */
    private final class Run implements Iterator<LabelledTransaction> {
        private final SplittableRandom fraudRng;
        private final SplittableRandom[] customerRngs;
        private final double[] expMinusLambda;
        private final List<List<Tx>> ahead = new ArrayList<>(); // days day..generated-1
        private final int[] terminalCompromisedUntil; // last day (inclusive) of the terminal's latest compromise
        private int generated;
        private int day = -1;
        private List<Tx> current = List.of();
        private int index;
        private long nextId;

        Run() {
            SplittableRandom[] s = streams(config.seed(), config.customers());
            fraudRng = s[2];
            customerRngs = Arrays.copyOfRange(s, 3, s.length);
            expMinusLambda = Arrays.stream(customers).mapToDouble(c -> StrictMath.exp(-c.meanNbTxPerDay())).toArray();
            terminalCompromisedUntil = new int[terminals.length];
            Arrays.fill(terminalCompromisedUntil, -1);
        }

        @Override
        public boolean hasNext() {
            while (index == current.size()) {
                if (day + 1 >= config.days()) {
                    return false;
                }
                advance();
            }
            return true;
        }

        @Override
        public LabelledTransaction next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return emit(current.get(index++));
        }

        private void advance() {
            day++;
            int last = Math.min(day + CUSTOMER_COMPROMISE_DAYS - 1, config.days() - 1);
            while (generated <= last) {
                ahead.add(generateDay());
                generated++;
            }
            if (day < config.days() - 1) {
                compromise();
            }
            current = ahead.remove(0);
            index = 0;
        }

        private List<Tx> generateDay() {
            List<Tx> txs = new ArrayList<>();
            for (Customer c : customers) {
                SplittableRandom rng = customerRngs[c.id()];
                int[] terms = available[c.id()];
                int nb = Sampling.poisson(rng, expMinusLambda[c.id()]);
                for (int k = 0; k < nb; k++) {
                    int second = (int) Sampling.normal(rng, TIME_MEAN, TIME_STD); // truncates, like Python's int()
                    if (second <= 0 || second >= DAY_SECONDS) {
                        continue;
                    }
                    double amount = Sampling.normal(rng, c.meanAmount(), c.stdAmount());
                    if (amount < 0) {
                        amount = Sampling.uniform(rng, 0, 2 * c.meanAmount());
                    }
                    long cents = (long) Math.rint(amount * 100);
                    if (terms.length > 0) {
                        txs.add(new Tx(c.id(), terms[rng.nextInt(terms.length)], second, cents));
                    }
                }
            }
            txs.sort(Comparator.comparingInt(tx -> tx.second)); // stable: ties stay by customer, then draw order
            return txs;
        }

        /** Today's draws: compromised terminals from today on, and compromised customers' transactions. */
        private void compromise() {
            for (int t : Sampling.distinct(fraudRng, terminals.length, COMPROMISED_TERMINALS_PER_DAY)) {
                terminalCompromisedUntil[t] = day + TERMINAL_COMPROMISE_DAYS - 1;
            }
            int[] victims = Sampling.distinct(fraudRng, customers.length, COMPROMISED_CUSTOMERS_PER_DAY);
            List<Tx> candidates = new ArrayList<>();
            for (List<Tx> txs : ahead) { // exactly days day..day+13 (fewer at the end)
                for (Tx tx : txs) {
                    if (Sampling.contains(victims, victims.length, tx.customer)) {
                        candidates.add(tx);
                    }
                }
            }
            int k = candidates.size() / 3;
            for (int i = 0; i < k; i++) { // partial Fisher-Yates: k draws without replacement
                int j = i + fraudRng.nextInt(candidates.size() - i);
                Tx chosen = candidates.get(j);
                candidates.set(j, candidates.get(i));
                chosen.cents *= CUSTOMER_FRAUD_MULTIPLIER;
                chosen.customerFraud = true;
            }
        }

        private LabelledTransaction emit(Tx tx) {
            int scenario = LabelledTransaction.SCENARIO_NONE;
            if (tx.originalCents > Math.round(FRAUD_AMOUNT_THRESHOLD * 100)) {
                scenario = LabelledTransaction.SCENARIO_AMOUNT;
            }
            if (terminalCompromisedUntil[tx.terminal] >= day) {
                scenario = LabelledTransaction.SCENARIO_TERMINAL;
            }
            if (tx.customerFraud) {
                scenario = LabelledTransaction.SCENARIO_CUSTOMER;
            }
            Transaction t = new Transaction();
            t.transactionId = Long.toString(nextId++);
            t.accountId = accountIds[tx.customer];
            t.eventTime = startMillis + ((long) day * DAY_SECONDS + tx.second) * 1000L;
            t.ingestTime = t.eventTime;
            t.amount = tx.cents / 100.0;
            t.currency = CURRENCY;
            t.terminalId = terminalIds[tx.terminal];
            t.lat = lats[tx.customer];
            t.lon = lons[tx.customer];
            return new LabelledTransaction(t, scenario != LabelledTransaction.SCENARIO_NONE, scenario);
        }
    }
}
