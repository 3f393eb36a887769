package io.github.fraudflink.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The feature sets, and the job's refusal of a model that needs features it does not compute. */
class FeatureCatalogTest {
    @Test
    void eachTerminalSetExtendsTheOneBefore() {
        assertThat(FeatureCatalog.ACCOUNT_TERMINAL.names()).startsWith(FeatureSchema.NAMES.toArray(new String[0]))
                .endsWith(FeatureCatalog.TERMINAL_NAMES.toArray(new String[0]))
                .hasSize(FeatureSchema.size() + FeatureCatalog.TERMINAL_NAMES.size())
                .doesNotHaveDuplicates();
        assertThat(FeatureCatalog.ACCOUNT_TERMINAL_FRAUDS.names())
                .startsWith(FeatureCatalog.ACCOUNT_TERMINAL.names().toArray(new String[0]))
                .endsWith(FeatureCatalog.TERMINAL_FRAUD_NAMES.toArray(new String[0]))
                .doesNotHaveDuplicates();
        assertThat(FeatureCatalog.ACCOUNT_TERMINAL_RECENT.names())
                .startsWith(FeatureCatalog.ACCOUNT_TERMINAL_FRAUDS.names().toArray(new String[0]))
                .endsWith(FeatureCatalog.TERMINAL_RECENT_NAMES.toArray(new String[0]))
                .doesNotHaveDuplicates();
        // the job's vector is the account features, then every value TerminalFeatures computes, in its order
        assertThat(FeatureCatalog.SERVED.size()).isEqualTo(FeatureSchema.size() + TerminalFeatures.size());
        assertThat(FeatureCatalog.SERVED).isEqualTo(FeatureCatalog.ACCOUNT_TERMINAL_RECENT);
        assertThat(FeatureCatalog.byId("account-terminal-v4")).isEqualTo(FeatureCatalog.ACCOUNT_TERMINAL_RECENT);
        assertThat(FeatureCatalog.byId("account-v1")).isEqualTo(FeatureCatalog.ACCOUNT);
        assertThat(FeatureCatalog.byId("account-terminal-v3")).isEqualTo(FeatureCatalog.ACCOUNT_TERMINAL_FRAUDS);
        assertThatThrownBy(() -> FeatureCatalog.byId("nope")).hasMessageContaining("account-terminal-v2");
    }

    @Test
    void aModelIsFedItsFeaturesByNameAndRefusedWhenOneIsNotComputed() {
        assertThat(FeatureCatalog.indexOf(FeatureCatalog.SERVED.names(), FeatureSchema.ID, FeatureSchema.NAMES))
                .containsExactly(java.util.stream.IntStream.range(0, FeatureSchema.size()).toArray());
        assertThat(FeatureCatalog.indexOf(FeatureCatalog.SERVED.names(), "mine",
                java.util.List.of(FeatureCatalog.TERMINAL_FRAUD_SHARE_7D, FeatureSchema.AMOUNT)))
                .containsExactly(FeatureSchema.size() + 3, 0);
        assertThatThrownBy(() -> FeatureCatalog.indexOf(FeatureSchema.NAMES, FeatureCatalog.ACCOUNT_TERMINAL.id(),
                FeatureCatalog.ACCOUNT_TERMINAL.names()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("terminal_fraud_share_7d")
                .hasMessageContaining("does not compute")
                .hasMessageContaining("--features account-v1 or account-terminal-v2 or account-terminal-v3 or account-terminal-v4");
        assertThatThrownBy(() -> FeatureCatalog.indexOf(FeatureSchema.NAMES, "x", java.util.List.of("amount", "amount")))
                .hasMessageContaining("repeat");
    }
}
