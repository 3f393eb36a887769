package io.github.fraudflink.cli.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.fraudflink.trainer.LabelChannels;
import io.github.fraudflink.trainer.XgbTrainer;
import java.time.Duration;
import picocli.CommandLine;
import org.junit.jupiter.api.Test;

/** {@code ./fraud train} with no tuning flag trains the recipe that {@code ./fraud retrain} uses. */
class TrainDefaultsTest {
    @Test
    void noTuningFlagIsTheRecipe() {
        TrainCommand c = new TrainCommand();
        new CommandLine(c).parseArgs("--data", "x.csv");
        assertThat(c.params(TrainCommand.posWeight(c.posWeight))).isEqualTo(XgbTrainer.Params.recipe(c.threads));
        assertThat(c.channels()).as("no label channel: every label a chargeback --delay-days late, as before").isNull();
        assertThat(c.featureSetId()).isEqualTo("account-terminal-v3");
        assertThat(c.protocol()).isEqualTo(io.github.fraudflink.trainer.HandbookProtocol.baseline());
        assertThat(c.modelName()).isEqualTo("handbook-xgb");
    }

    @Test
    void kaggleTrainsOnTheAttributesTheFirstDayAndTestsOnTheSecond() {
        TrainCommand c = new TrainCommand();
        new CommandLine(c).parseArgs("--data", "creditcard.csv", "--format", "kaggle");
        assertThat(c.featureSetId()).isEqualTo("attributes-v1");
        assertThat(c.protocol()).isEqualTo(new io.github.fraudflink.trainer.HandbookProtocol(
                java.time.LocalDate.of(2013, 9, 2), 1, 0, 1));
        assertThat(c.modelName()).isEqualTo("kaggle-xgb");
        assertThat(c.params(TrainCommand.posWeight(c.posWeight))).isEqualTo(XgbTrainer.Params.recipe(c.threads));
        assertThat(c.channels()).isNull();

        TrainCommand flags = new TrainCommand(); // the flags win over the format's defaults
        new CommandLine(flags).parseArgs("--data", "creditcard.csv", "--format", "kaggle", "--features", "account-v1",
                "--train-days", "2", "--delay-days", "1", "--test-days", "3", "--train-start", "2013-09-01", "--name", "k");
        assertThat(flags.featureSetId()).isEqualTo("account-v1");
        assertThat(flags.protocol()).isEqualTo(new io.github.fraudflink.trainer.HandbookProtocol(
                java.time.LocalDate.of(2013, 9, 1), 2, 1, 3));
        assertThat(flags.modelName()).isEqualTo("k");
    }

    @Test
    void theLabelChannelsAreOnlyWhatTheFlagsSay() {
        TrainCommand c = new TrainCommand();
        new CommandLine(c).parseArgs("--data", "x.csv", "--analyst-daily", "100", "--analyst-delay", "4h",
                "--cardholder-share", "0.5", "--cardholder-delay", "2d");
        LabelChannels.Config ch = c.channels();
        assertThat(ch.analystDaily()).isEqualTo(100);
        assertThat(ch.analystDelay()).isEqualTo(Duration.ofHours(4));
        assertThat(ch.cardholderShare()).isEqualTo(0.5);
        assertThat(ch.cardholderDelay()).isEqualTo(Duration.ofDays(2));
        assertThat(ch.chargebackDelay()).as("--delay-days by default").isEqualTo(Duration.ofDays(7));
        assertThat(ch.selectorTrainStart()).isNull();

        TrainCommand cardholders = new TrainCommand();
        new CommandLine(cardholders).parseArgs("--data", "x.csv", "--cardholder-share", "0.25", "--chargeback-delay", "10d");
        assertThat(cardholders.channels().analysts()).isFalse();
        assertThat(cardholders.channels().chargebackDelay()).isEqualTo(Duration.ofDays(10));

        TrainCommand alone = new TrainCommand();
        new CommandLine(alone).parseArgs("--data", "x.csv", "--chargeback-delay", "10d");
        assertThatThrownBy(alone::channels).hasMessageContaining("needs a label channel");
        TrainCommand bad = new TrainCommand();
        new CommandLine(bad).parseArgs("--data", "x.csv", "--cardholder-share", "2");
        assertThatThrownBy(bad::channels).hasMessageContaining("--cardholder-share");
    }
}
