package io.github.fraudflink.job.scoring;

import io.github.fraudflink.model.LoadedModel;
import io.github.fraudflink.model.drift.DriftWindow;
import java.io.Serializable;
import java.time.Duration;

/**
 * How the scorer watches drift ({@code fraud.drift.*}): each live model's {@link DriftWindow} of {@code window} event
 * time in {@code slices}, reporting once it holds {@code minEvents}.
 */
public record DriftSettings(Duration window, int slices, long minEvents) implements Serializable {
    public static final DriftSettings DEFAULT = new DriftSettings(Duration.ofDays(1), 24, 1_000);

    public DriftSettings {
        if (slices < 1 || window.toMillis() < slices || minEvents < 1) {
            throw new IllegalArgumentException("fraud.drift.window (" + window + ") must hold at least a millisecond per"
                    + " slice, fraud.drift.slices (" + slices + ") and fraud.drift.min-events (" + minEvents + ") at least 1");
        }
    }

    /** The window of a model, or null when its manifest has no reference distributions. */
    DriftWindow windowOf(LoadedModel m) {
        return DriftWindow.of(m.manifest(), window, slices, minEvents);
    }
}
