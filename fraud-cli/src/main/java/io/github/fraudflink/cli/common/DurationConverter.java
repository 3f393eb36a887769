package io.github.fraudflink.cli.common;

import java.time.Duration;
import org.apache.flink.util.TimeUtils;
import picocli.CommandLine.ITypeConverter;

/** Reads durations the way Flink's configuration does: {@code 500ms}, {@code 2s}, {@code 10 min}, {@code 1d}. */
public final class DurationConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
        try {
            return TimeUtils.parseDuration(value);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new picocli.CommandLine.TypeConversionException(
                    "'" + value + "' is not a duration; use e.g. 500ms, 2s, 10min, 1d");
        }
    }
}
