package dev.realign.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realign.docs.RepoRoot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md is exactly what {@link ConfigurationPage} renders from {@link ConfigKeys},
 * so the page cannot drift from the code. Regenerate with the tagged generator ({@link
 * ConfigurationPage#REGENERATE}).
 */
class ConfigurationPageTest {
  static Path page() {
    return RepoRoot.find().resolve("docs/configuration.md");
  }

  @Test
  void theCommittedPageIsTheGeneratedOne() throws IOException {
    Path page = page();
    assertThat(page)
        .as("docs/configuration.md (regenerate: %s)", ConfigurationPage.REGENERATE)
        .isRegularFile();
    assertThat(Files.readString(page))
        .as(
            "docs/configuration.md differs from ConfigKeys; regenerate it with: %s",
            ConfigurationPage.REGENERATE)
        .isEqualTo(ConfigurationPage.render());
  }

  @Test
  void everyDeclaredKeyHasARowWithItsDefaultAndAllowedValues() {
    String md = ConfigurationPage.render();
    for (ConfigKey<?> k : ConfigKeys.all()) {
      assertThat(md).contains("| `" + k.name() + "` | " + k.typeName() + " | ");
    }
    assertThat(md).contains("| `output.dtype` | ").contains("`float32`");
  }

  @Test
  void pipesInADocDoNotBreakTheTable() {
    String md =
        ConfigurationPage.render(List.of(ConfigKey.string("x.y", "a|b", "one | two\nthree <key>")));
    assertThat(md)
        .contains("| `x.y` | string | `a\\|b` | any text | one \\| two three &lt;key&gt; |\n");
    assertThat(md).contains("## x\n");
  }

  @Test
  @Tag("golden-generator")
  void writeThePage() throws IOException {
    Files.writeString(page(), ConfigurationPage.render());
  }
}
