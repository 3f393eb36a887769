package io.github.fraudflink.job.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

class LeftoverTransactionsTest {
    private static final String JOB = "aa01";
    private static final String OTHER = "bb02";

    private static PreparedTransactionName t(String job, int subtask, long label) {
        return new PreparedTransactionName("p", job, subtask, label);
    }

    private static List<PreparedTransactionName> decide(List<PreparedTransactionName> leftovers, int subtask, int parallelism,
            OptionalLong restored, boolean rollbackForeign) {
        return LeftoverTransactions.toRollBack(leftovers, JOB, subtask, parallelism, restored, rollbackForeign);
    }

    @Test
    void restoreRollsBackWhatCameAfterTheCheckpointAndKeepsWhatItCovers() {
        List<PreparedTransactionName> left = List.of(t(JOB, 0, 4), t(JOB, 0, 5), t(JOB, 0, 6), t(OTHER, 0, 9));
        // 4 and 5 belong to checkpoint 5 or earlier: the committer commits them from the restored state
        assertThat(decide(left, 0, 1, OptionalLong.of(5), false)).containsExactly(t(JOB, 0, 6), t(OTHER, 0, 9));
    }

    @Test
    void restoreAfterScalingDownTakesOverTheVanishedSubtasks() {
        List<PreparedTransactionName> left = List.of(t(JOB, 0, 8), t(JOB, 1, 8), t(JOB, 2, 8), t(JOB, 3, 8), t(JOB, 3, 2));
        assertThat(decide(left, 0, 2, OptionalLong.of(7), false)).containsExactly(t(JOB, 0, 8), t(JOB, 2, 8));
        assertThat(decide(left, 1, 2, OptionalLong.of(7), false)).containsExactly(t(JOB, 1, 8), t(JOB, 3, 8));
    }

    @Test
    void restoreAfterScalingUpLeavesTheNewSubtasksNothing() {
        List<PreparedTransactionName> left = List.of(t(JOB, 0, 8), t(JOB, 1, 8));
        assertThat(decide(left, 0, 4, OptionalLong.of(7), false)).containsExactly(t(JOB, 0, 8));
        assertThat(decide(left, 1, 4, OptionalLong.of(7), false)).containsExactly(t(JOB, 1, 8));
        assertThat(decide(left, 2, 4, OptionalLong.of(7), false)).isEmpty();
        assertThat(decide(left, 3, 4, OptionalLong.of(7), false)).isEmpty();
    }

    @Test
    void aFreshAttemptOfTheSameJobRollsBackItsOwnLeftovers() {
        // the job failed over before its first checkpoint completed: none of its transactions is covered
        assertThat(decide(List.of(t(JOB, 0, 1), t(JOB, 1, 1)), 1, 2, OptionalLong.empty(), false)).containsExactly(t(JOB, 1, 1));
    }

    @Test
    void aFreshStartRefusesAnotherJobsLeftovers() {
        assertThatThrownBy(() -> decide(List.of(t(JOB, 0, 1), t(OTHER, 0, 12)), 0, 1, OptionalLong.empty(), false))
                .isInstanceOf(LeftoverTransactions.RefusedException.class)
                .hasMessageContaining("p:bb02:0:12")
                .hasMessageContaining("flink run -s")
                .hasMessageContaining("fraud.postgres.rollback-foreign-leftovers");
        // a subtask that does not own the foreign transaction has nothing to refuse
        assertThat(decide(List.of(t(OTHER, 1, 12)), 0, 2, OptionalLong.empty(), false)).isEmpty();
    }

    @Test
    void aFreshStartRollsBackAnotherJobsLeftoversWhenTheOperatorSaysSo() {
        assertThat(decide(List.of(t(OTHER, 0, 12), t(JOB, 0, 1)), 0, 1, OptionalLong.empty(), true))
                .containsExactly(t(OTHER, 0, 12), t(JOB, 0, 1));
    }

    @Test
    void namesRoundTripAndOthersAreNotParsed() {
        PreparedTransactionName n = t(JOB, 3, 17);
        assertThat(n.gid()).isEqualTo("p:aa01:3:17");
        assertThat(PreparedTransactionName.parse("p", n.gid())).contains(n);
        assertThat(PreparedTransactionName.parse("p", "p:0:7")).isEmpty(); // the format before job ids
        assertThat(PreparedTransactionName.parse("p", "px:aa01:0:7")).isEmpty();
        assertThat(PreparedTransactionName.parse("p", "p:AA01:0:7")).isEmpty();
        assertThat(PreparedTransactionName.parse("p", "p:aa01:x:7")).isEmpty();
        assertThat(PreparedTransactionName.parse("p", "p:aa01:0:7:1")).isEmpty();
        assertThat(PreparedTransactionName.parse("p", "p:aa01:+0:7")).as("only the canonical form").isEmpty();
        assertThat(PreparedTransactionName.parse("p", "p:aa01:0:07")).isEmpty();
        assertThatThrownBy(() -> new PreparedTransactionName("a:b", JOB, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PreparedTransactionName("a'b", JOB, 0, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    /** Any leftovers, any parallelism, restored or not: each is rolled back by one subtask at most, never one a restored checkpoint covers. */
    @Test
    void everyLeftoverHasOneOwnerAndCoveredOnesAreKept() {
        qt().withExamples(500).forAll(leftovers(), integers().between(1, 6), restored()).checkAssert(this::checkOwners);
    }

    private void checkOwners(List<PreparedTransactionName> left, int parallelism, OptionalLong restored) {
        Map<PreparedTransactionName, Integer> owners = new HashMap<>();
        List<PreparedTransactionName> refusedBy = new ArrayList<>();
        for (int s = 0; s < parallelism; s++) {
            try {
                for (PreparedTransactionName t : decide(left, s, parallelism, restored, false)) {
                    assertThat(owners.put(t, s)).as("%s rolled back twice", t).isNull();
                    assertThat(t.subtask() % parallelism).isEqualTo(s);
                }
            } catch (LeftoverTransactions.RefusedException e) {
                refusedBy.add(null);
            }
        }
        for (PreparedTransactionName t : left) {
            boolean covered = restored.isPresent() && t.label() <= restored.getAsLong();
            boolean foreignFresh = restored.isEmpty() && !t.jobId().equals(JOB);
            if (covered) {
                assertThat(owners).doesNotContainKey(t);
            } else if (!foreignFresh && refusedBy.isEmpty()) {
                assertThat(owners).containsKey(t);
            }
            if (foreignFresh) {
                assertThat(refusedBy).as("a fresh start with %s is refused", t).isNotEmpty();
            }
        }
    }

    private static Gen<List<PreparedTransactionName>> leftovers() {
        Gen<PreparedTransactionName> one = Generate.pick(List.of(JOB, OTHER))
                .zip(integers().between(0, 7), longs().between(0, 20), (j, s, l) -> t(j, s, l));
        return lists().of(one).ofSizeBetween(0, 12).map(l -> List.copyOf(new java.util.LinkedHashSet<>(l)));
    }

    private static Gen<OptionalLong> restored() {
        return Generate.oneOf(Generate.constant(OptionalLong.empty()), longs().between(0, 20).map(l -> OptionalLong.of(l)));
    }
}
