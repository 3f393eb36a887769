package io.github.fraudflink.trainer.sim;

import io.github.fraudflink.data.LabelledTransaction;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.fraudflink.features.Transaction;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SimulatorRadiusTest {

    @Test
    void everyTransactionUsesATerminalWithinTheRadiusOfItsCustomer() {
        SimulatorConfig config = SimulatorConfig.defaults().withCustomers(500).withTerminals(1500).withDays(20)
                .withRadius(7.5).withSeed(3);
        TransactionSimulator sim = new TransactionSimulator(config);
        List<TransactionSimulator.Customer> customers = sim.customers();
        List<TransactionSimulator.Terminal> terminals = sim.terminals();
        long n = sim.stream().map(LabelledTransaction::tx).peek(t -> {
            TransactionSimulator.Customer c = customers.get(Integer.parseInt(t.accountId.substring(1)));
            TransactionSimulator.Terminal term = terminals.get(Integer.parseInt(t.terminalId.substring(1)));
            assertThat(Math.hypot(c.x() - term.x(), c.y() - term.y())).isLessThan(config.radius());
            assertThat(t.lat).isCloseTo(c.y() - 50, org.assertj.core.data.Offset.offset(1e-6));
            assertThat(t.lon).isCloseTo(c.x() - 50, org.assertj.core.data.Offset.offset(1e-6));
        }).count();
        assertThat(n).isGreaterThan(10_000);
    }

    @Test
    void availableTerminalsAreExactlyThoseWithinTheRadius() {
        TransactionSimulator sim = new TransactionSimulator(
                SimulatorConfig.defaults().withCustomers(300).withTerminals(3000).withDays(1));
        List<TransactionSimulator.Terminal> terminals = sim.terminals();
        for (TransactionSimulator.Customer c : sim.customers()) {
            int[] bruteForce = IntStream.range(0, terminals.size())
                    .filter(t -> {
                        TransactionSimulator.Terminal term = terminals.get(t);
                        double dx = term.x() - c.x();
                        double dy = term.y() - c.y();
                        return Math.sqrt(dx * dx + dy * dy) < 5.0;
                    })
                    .toArray();
            assertThat(sim.availableTerminals(c.id())).containsExactly(bruteForce);
        }
    }

    @Test
    void transactionsAreInEventTimeOrderWithSequentialIds() {
        TransactionSimulator sim = new TransactionSimulator(
                SimulatorConfig.defaults().withCustomers(300).withTerminals(600).withDays(15));
        List<Transaction> txs = sim.stream().map(LabelledTransaction::tx).toList();
        for (int i = 0; i < txs.size(); i++) {
            assertThat(txs.get(i).transactionId).isEqualTo(Integer.toString(i));
            assertThat(txs.get(i).ingestTime).isEqualTo(txs.get(i).eventTime);
            if (i > 0) {
                assertThat(txs.get(i).eventTime).isGreaterThanOrEqualTo(txs.get(i - 1).eventTime);
            }
        }
    }
}
