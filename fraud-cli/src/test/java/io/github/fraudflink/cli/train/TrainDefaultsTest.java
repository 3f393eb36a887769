package io.github.fraudflink.cli.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.fraudflink.trainer.XgbTrainer;
import picocli.CommandLine;
import org.junit.jupiter.api.Test;

/** {@code ./fraud train} with no tuning flag trains the recipe that {@code ./fraud retrain} uses. */
class TrainDefaultsTest {
    @Test
    void noTuningFlagIsTheRecipe() {
        TrainCommand c = new TrainCommand();
        new CommandLine(c).parseArgs("--data", "x.csv");
        assertThat(c.params(TrainCommand.posWeight(c.posWeight))).isEqualTo(XgbTrainer.Params.recipe(c.threads));
    }
}
