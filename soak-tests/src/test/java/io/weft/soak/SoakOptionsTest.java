package io.weft.soak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SoakOptionsTest {
    @Test
    void shouldTakeTheProfilesDefaultsAndOverrideThem() {
        SoakOptions smoke = SoakOptions.parse(new String[] {"--profile", "smoke", "--seed", "42"});
        assertThat(smoke.nodes()).isEqualTo(4);
        assertThat(smoke.duration()).isEqualTo(Duration.ofMinutes(4));
        assertThat(smoke.out()).isEqualTo(Path.of("soak-tests/target/soak-smoke"));

        SoakOptions hour = SoakOptions.parse(new String[] {"--nodes", "12", "--duration", "15m", "--seed", "7",
            "--weftd-arg", "--offload=off"});
        assertThat(hour.profile()).isEqualTo(Profile.HOUR);
        assertThat(hour.nodes()).isEqualTo(12);
        assertThat(hour.duration()).isEqualTo(Duration.ofMinutes(15));
        assertThat(hour.out()).isEqualTo(Path.of("perf-reports/soak"));
        assertThat(hour.weftdArgs()).containsExactly("--offload=off");
        assertThat(hour.command()).isEqualTo("./weft soak --profile hour --nodes 12 --duration 900s --seed 7"
            + " --weftd-arg --offload=off");
    }

    @Test
    void shouldRefuseWhatItCannotRun() {
        assertThatThrownBy(() -> SoakOptions.parse(new String[] {"--nodes", "2"}))
            .hasMessageContaining("--nodes");
        assertThatThrownBy(() -> SoakOptions.parse(new String[] {"--duration", "5x"}))
            .hasMessageContaining("bad duration");
        assertThatThrownBy(() -> SoakOptions.parse(new String[] {"--profile", "week"}))
            .hasMessageContaining("unknown profile");
        assertThatThrownBy(() -> SoakOptions.parse(new String[] {"--seed"})).hasMessageContaining("needs a value");
    }

    @Test
    void shouldPlanTheSameFaultsForTheSameSeedAndEveryKindOncePerCycle() {
        assertThat(FaultPlan.order(new Random(5), 2)).isEqualTo(FaultPlan.order(new Random(5), 2))
            .hasSize(2 * FaultKind.values().length);
        assertThat(FaultPlan.order(new Random(5), 1)).containsExactlyInAnyOrder(FaultKind.values());
    }
}
