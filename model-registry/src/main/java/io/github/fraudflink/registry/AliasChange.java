package io.github.fraudflink.registry;

import java.time.Instant;

/**
 * One row of the alias history: {@code version} of {@code model} went from alias {@code from} to {@code to}, by whom,
 * when and why; {@code forced} when a gate refused and the change was made anyway.
 */
public record AliasChange(long id, String model, String version, String from, String to, String by, Instant at,
        String reason, boolean forced) {}
