package io.github.fraudflink.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The feature sets, and the job's refusal of a model that needs features it does not compute. */
class FeatureCatalogTest {
    @Test
    void theTerminalSetExtendsTheAccountSet() {
        assertThat(FeatureCatalog.ACCOUNT_TERMINAL.names()).startsWith(FeatureSchema.NAMES.toArray(new String[0]))
                .endsWith(FeatureCatalog.TERMINAL_NAMES.toArray(new String[0]))
                .hasSize(FeatureSchema.size() + TerminalFeatures.size())
                .doesNotHaveDuplicates();
        assertThat(FeatureCatalog.byId("account-v1")).isEqualTo(FeatureCatalog.ACCOUNT);
        assertThatThrownBy(() -> FeatureCatalog.byId("nope")).hasMessageContaining("account-terminal-v2");
    }

    @Test
    void aModelThatNeedsTerminalFeaturesIsRefusedNamingThem() {
        assertThatCode(() -> FeatureSchema.requireCompatible(FeatureSchema.ID, FeatureSchema.NAMES)).doesNotThrowAnyException();
        assertThatThrownBy(() -> FeatureSchema.requireCompatible(FeatureCatalog.ACCOUNT_TERMINAL.id(),
                FeatureCatalog.ACCOUNT_TERMINAL.names()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("terminal_fraud_share_7d")
                .hasMessageContaining("does not compute")
                .hasMessageContaining("--features account-v1");
    }
}
