package io.github.fraudflink.cli.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** Grafana's legend format as {@code ./fraud dashboards} applies it (the rendering itself runs in MonitoringIT). */
class DashboardsCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void legendFormatTakesTheSeriesLabels() throws Exception {
        var labels = JSON.readTree("{\"role\":\"champion\",\"model\":\"demo-xgb\",\"version\":\"v$1\"}");
        assertThat(DashboardsCommand.legend("{{role}}: {{model}} {{ version }}", labels)).isEqualTo("champion: demo-xgb v$1");
        assertThat(DashboardsCommand.legend("p{{missing}}", labels)).isEqualTo("p");
        assertThat(DashboardsCommand.legend("", labels)).isEqualTo("role=champion,model=demo-xgb,version=v$1");
        assertThat(DashboardsCommand.legend("", JSON.readTree("{}"))).isEqualTo("value");
    }
}
