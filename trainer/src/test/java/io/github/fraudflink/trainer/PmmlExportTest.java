package io.github.fraudflink.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Argument checks of the export; the conversion itself is tested on a trained model by TrainingRunArtifactsTest. */
class PmmlExportTest {
    @Test
    void refusesBytesThatAreNoXgboostModel() {
        assertThat(catchThrowable(() -> PmmlExport.toPmml("{\"not\": \"a model\"}".getBytes(StandardCharsets.UTF_8))))
                .isInstanceOf(IOException.class);
    }
}
