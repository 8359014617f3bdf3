package io.weft.dataplane.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** The flag table users read (docs/flags.md): it must name every flag weftd takes, with weftd's own defaults. */
class ReadmeFlagsTest {
    private static final String TABLE_HEADER = "| flag | default | meaning |";
    private static final Pattern FLAG = Pattern.compile("`(--[a-z0-9-]+)[^`]*`");

    @Test
    void shouldListEveryFlagWithItsDefaultWhenTheReadmeDescribesThem() throws IOException {
        final Map<String, String> readme = readmeDefaults();
        final Map<String, OptionSpec> flags = new LinkedHashMap<>();
        for (final OptionSpec option : new CommandLine(new WeftdFlags()).getCommandSpec().options()) {
            if (!option.usageHelp()) {
                flags.put(option.longestName(), option);
            }
        }

        assertThat(readme.keySet()).as("flags in docs/flags.md's table").containsExactlyInAnyOrderElementsOf(
            flags.keySet());
        for (final Map.Entry<String, OptionSpec> flag : flags.entrySet()) {
            final String documented = readme.get(flag.getKey());
            final String actual = flag.getValue().defaultValue();
            if (actual == null) {
                // Computed at start (from the host): the README says how, in words, never a number.
                assertThat(documented).as("default of %s", flag.getKey()).doesNotMatch("[0-9].*");
            } else if (actual.isEmpty()) {
                assertThat(documented).as("default of %s", flag.getKey()).isEqualTo("none");
            } else {
                assertThat(documented).as("default of %s", flag.getKey()).isEqualTo(actual);
            }
        }
    }

    /** Each flag of the table with its default; a row of several flags gives one default each or one for all. */
    private static Map<String, String> readmeDefaults() throws IOException {
        final List<String> lines = Files.readAllLines(readme());
        final int header = lines.indexOf(TABLE_HEADER);
        assertThat(header).as("docs/flags.md has a line %s", TABLE_HEADER).isNotNegative();
        final Map<String, String> defaults = new LinkedHashMap<>();
        for (int i = header + 2; i < lines.size() && lines.get(i).startsWith("|"); i++) {
            final String[] cells = lines.get(i).replace("\\|", "/").split("\\|");
            final List<String> names = new ArrayList<>();
            final Matcher matcher = FLAG.matcher(cells[1]);
            while (matcher.find()) {
                names.add(matcher.group(1));
            }
            final List<String> values = List.of(cells[2].split(","));
            for (int n = 0; n < names.size(); n++) {
                final String value = values.get(values.size() == names.size() ? n : 0);
                defaults.put(names.get(n), value.replace("`", "").trim());
            }
        }
        return defaults;
    }

    private static Path readme() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("docs/flags.md")) && Files.isDirectory(dir.resolve("dataplane"))) {
                return dir.resolve("docs/flags.md");
            }
        }
        throw new IllegalStateException("no docs/flags.md beside dataplane/ above " + Path.of("").toAbsolutePath());
    }
}
