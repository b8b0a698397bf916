package dev.realign.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * Names read from manifests and completion records stay in their directory (issue 22): one plain
 * file name for a shard, a relative path of plain names for a rejected-rows file.
 */
class ShardNamesTest {
  private static final String[] ESCAPES = {
    "../../../moved.txt",
    "/etc/shadow",
    "..",
    ".",
    "",
    "a/b.parquet",
    "a\\\\b.parquet",
    "file:/etc/passwd",
    "part-0\0.parquet",
  };

  @Test
  void aShardNameMustBeOnePlainFileName() {
    assertThat(ShardInfo.requirePlainName("part-00000-of-00004.parquet", "m"))
        .isEqualTo("part-00000-of-00004.parquet");
    assertThat(ShardInfo.requirePlainName("..hidden..parquet", "m")).isNotNull();
    for (String bad : ESCAPES) {
      assertThatThrownBy(() -> ShardInfo.requirePlainName(bad, "/out/_manifest.json"))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "Invalid shard name '"
                  + bad
                  + "' in /out/_manifest.json (must be a single plain file name: no '/', '\\'"
                  + " or ':', not '.' or '..')");
    }
  }

  @Test
  void aRejectedFileNameMustBeARelativePathOfPlainNames() {
    assertThat(ShardInfo.requireRelativeName("rejected/text/part-00000-of-00004.parquet", "m"))
        .isEqualTo("rejected/text/part-00000-of-00004.parquet");
    for (String bad :
        new String[] {"rejected/../../x", "/rejected/a", "rejected//a", "rejected/a/", "c:\\\\x"}) {
      assertThatThrownBy(() -> ShardInfo.requireRelativeName(bad, "record"))
          .as(bad)
          .hasMessageStartingWith("Invalid file name '" + bad + "' in record (must be a relative");
    }
  }

  @Test
  void aManifestNamingAPathOutsideItsDirectoryFailsNamingTheManifest() {
    ShardManifest m =
        new ShardManifest(
            3,
            2,
            "float32",
            "abc",
            0,
            java.util.Map.of(),
            java.util.List.of(),
            java.util.Map.of(),
            java.util.List.of(new ShardInfo("part-00000-of-00001.parquet", 3, 10, "ff")),
            java.util.Map.of());
    String json = m.toJson();
    assertThat(ShardManifest.fromJson(json, "/out/_manifest.json").shards()).isEqualTo(m.shards());
    for (String bad : new String[] {"../../other/aligned/part-00000-of-00001.parquet", "/etc/x"}) {
      String crafted = json.replace("part-00000-of-00001.parquet", bad);
      assertThatThrownBy(() -> ShardManifest.fromJson(crafted, "/out/_manifest.json"))
          .hasMessageStartingWith("Invalid shard name '" + bad + "' in /out/_manifest.json");
    }
  }
}
