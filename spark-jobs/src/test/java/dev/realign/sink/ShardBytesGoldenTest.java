package dev.realign.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shard writer's bytes, pinned: the SHA-256 of shards of fixed rows in every dtype and codec,
 * with and without texts, in one page and row group, in many small ones, and across buffer
 * segments, against the golden list that the writer of commit 0177e7d (before the column chunks
 * were buffered in segments) wrote. A change is a format change: every published dataset's
 * checksums would move. Regenerate with the tagged generator ({@code mvn -pl spark-jobs -am test
 * -Dtest=ShardBytesGoldenTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Drealign.test.excludedGroups=none -Dgroups=golden-generator}).
 */
class ShardBytesGoldenTest {
  static final String GOLDEN = "/golden/shard-sha256-v1.txt";
  private static final Configuration CONF = new Configuration();

  @TempDir Path dir;

  /** One case: rows x d, texts or not, page and row-group byte targets. */
  record Case(int rows, int dim, boolean withText, int pageBytes, long rowGroupBytes) {
    String name(ShardFormat format) {
      return format.toString().replace('/', '-')
          + " "
          + rows
          + "x"
          + dim
          + (withText ? " text" : "")
          + " page "
          + pageBytes
          + " group "
          + rowGroupBytes;
    }
  }

  static final List<Case> CASES =
      List.of(
          new Case(1, 1, false, ShardWriter.PAGE_BYTES, ShardWriter.ROW_GROUP_BYTES),
          new Case(3_000, 37, true, ShardWriter.PAGE_BYTES, ShardWriter.ROW_GROUP_BYTES),
          new Case(3_000, 37, true, 3_000, 40_000),
          new Case(3_000, 37, false, 3_000, 40_000),
          // more than one buffer segment a row group, several row groups, several pages each
          new Case(2_000, 1280, true, 1 << 20, 4L << 20));

  /** Every case in every format, as "name sha256" lines in a fixed order. */
  List<String> lines() throws IOException {
    List<String> out = new ArrayList<>();
    for (Case c : CASES) {
      for (ShardFormat.Dtype dtype : ShardFormat.Dtype.values()) {
        for (ShardFormat.Codec codec : ShardFormat.Codec.values()) {
          ShardFormat format = new ShardFormat(dtype, codec);
          out.add(c.name(format) + " " + sha256(c, format));
        }
      }
    }
    return out;
  }

  private String sha256(Case c, ShardFormat format) throws IOException {
    Path file = dir.resolve("shard.parquet");
    float[] v = ColumnLevelShardsTest.rows(c.rows(), c.dim());
    ShardInfo info;
    try (ShardWriter w =
        new ShardWriter(
            FileSystem.getLocal(CONF),
            new org.apache.hadoop.fs.Path(file.toUri()),
            c.dim(),
            c.withText(),
            format,
            c.pageBytes(),
            c.rowGroupBytes())) {
      for (int i = 0; i < c.rows(); i++) {
        w.write("id-" + i, c.withText() ? ColumnLevelShardsTest.text(i) : null, v, i * c.dim());
      }
      info = w.finish();
    }
    // the digest taken while writing is the digest of the file
    assertThat(info.sha256())
        .as(c.name(format))
        .isEqualTo(
            ShardManifest.sha256(
                FileSystem.getLocal(CONF), new org.apache.hadoop.fs.Path(file.toUri())));
    assertThat(info.bytes()).as(c.name(format)).isEqualTo(Files.size(file));
    return info.sha256();
  }

  static List<String> golden() throws IOException {
    try (InputStream in = ShardBytesGoldenTest.class.getResourceAsStream(GOLDEN)) {
      assertThat(in).as("test resource %s", GOLDEN).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    }
  }

  @Test
  void todaysWriterWritesTheGoldenBytes() throws IOException {
    assertThat(lines()).containsExactlyElementsOf(golden());
  }

  @Test
  @Tag("golden-generator")
  void writeGoldenFile() throws IOException {
    Path golden = Path.of("src", "test", "resources", "golden");
    Files.createDirectories(golden);
    Files.writeString(golden.resolve("shard-sha256-v1.txt"), String.join("\n", lines()) + "\n");
  }
}
