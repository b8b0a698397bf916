package dev.realign.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.realign.vector.Float16;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Arrow IPC stream shard: schema, values, batching, determinism, float16 rounding. */
class ArrowShardWriterTest {
  static final int D = 7;
  @TempDir Path dir;

  /**
   * Rows with awkward values: signed zero, a float16 tie, a subnormal, values beyond half range.
   */
  static float[] rows(int n) {
    SplittableRandom r = new SplittableRandom(11);
    float[] v = new float[n * D];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (r.nextDouble() * 2 - 1);
    }
    v[0] = -0.0f;
    v[1] = 1.0f + 0x1p-11f; // exactly between two halves: ties to even gives 1.0
    v[2] = 0x1p-20f; // a half subnormal
    v[3] = 70000f; // beyond the largest half: infinity
    return v;
  }

  static ShardInfo write(Path file, float[] v, int n, boolean withText, ShardOutput out)
      throws Exception {
    FileSystem fs = FileSystem.getLocal(new Configuration());
    try (EmbeddingShardWriter w =
        out.open(
            fs, new org.apache.hadoop.fs.Path(file.toString()), D, withText, new Configuration())) {
      for (int i = 0; i < n; i++) {
        w.write("row-" + i, !withText ? null : i == 3 ? null : "caption ü " + i, v, i * D);
      }
      return w.finish();
    }
  }

  @Test
  void float32ShardReadsBackBitForBitInBatchesWithTheDeclaredSchema() throws Exception {
    int n = 25;
    float[] v = rows(n);
    Path file = dir.resolve("part-00000-of-00001.arrow");
    ShardInfo info =
        write(
            file,
            v,
            n,
            true,
            new ShardOutput(ShardOutput.Format.ARROW, ShardFormat.Dtype.FLOAT32, 10));

    ArrowShards.Content c = ArrowShards.read(file);
    assertThat(c.batchRows()).containsExactly(10, 10, 5);
    assertThat(c.schema()).isEqualTo(ArrowShardWriter.schema(D, true, ShardFormat.Dtype.FLOAT32));
    Field emb = c.schema().findField("embedding");
    assertThat(emb.isNullable()).isFalse();
    assertThat(emb.getType()).isEqualTo(new ArrowType.FixedSizeList(D));
    assertThat(emb.getChildren().get(0).getType())
        .isEqualTo(new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE));
    assertThat(c.rows()).hasSize(n);
    for (int i = 0; i < n; i++) {
      ArrowShards.ArrowRow row = c.rows().get(i);
      assertThat(row.id()).isEqualTo("row-" + i);
      assertThat(row.text()).isEqualTo(i == 3 ? null : "caption ü " + i);
      for (int j = 0; j < D; j++) {
        assertThat(row.bits()[j]).isEqualTo(Float.floatToRawIntBits(v[i * D + j]));
      }
    }
    assertThat(info.rows()).isEqualTo(n);
    assertThat(info.bytes()).isEqualTo(Files.size(file));
    assertThat(info.sha256()).isEqualTo(sha256(file));
  }

  @Test
  void float16ShardHoldsTheTiesToEvenHalfOfEveryValue() throws Exception {
    int n = 9;
    float[] v = rows(n);
    Path file = dir.resolve("half.arrow");
    write(
        file, v, n, false, new ShardOutput(ShardOutput.Format.ARROW, ShardFormat.Dtype.FLOAT16, 4));
    ArrowShards.Content c = ArrowShards.read(file);
    assertThat(c.schema().getFields())
        .extracting(Field::getName)
        .containsExactly("id", "embedding");
    assertThat(c.schema().findField("embedding").getChildren().get(0).getType())
        .isEqualTo(new ArrowType.FloatingPoint(FloatingPointPrecision.HALF));
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < D; j++) {
        assertThat(c.rows().get(i).bits()[j]).isEqualTo(Float16.fromFloat(v[i * D + j]) & 0xffff);
      }
    }
    int[] first = c.rows().get(0).bits();
    assertThat(first[0]).isEqualTo(0x8000); // -0.0 keeps its sign
    assertThat(first[1]).isEqualTo(0x3c00); // the tie went to even: 1.0
    assertThat(first[2]).isEqualTo(0x0010); // 2^-20 = 16 x 2^-24, subnormal
    assertThat(first[3]).isEqualTo(0x7c00); // overflow: +Inf
  }

  @Test
  void sameRowsGiveTheSameBytesAndAnEmptyShardIsAValidStream() throws Exception {
    float[] v = rows(30);
    ShardOutput out = new ShardOutput(ShardOutput.Format.ARROW, ShardFormat.Dtype.FLOAT32, 8);
    ShardInfo a = write(dir.resolve("a.arrow"), v, 30, true, out);
    ShardInfo b = write(dir.resolve("b.arrow"), v, 30, true, out);
    assertThat(Files.readAllBytes(dir.resolve("a.arrow")))
        .isEqualTo(Files.readAllBytes(dir.resolve("b.arrow")));
    assertThat(a.sha256()).isEqualTo(b.sha256());

    ShardInfo empty = write(dir.resolve("empty.arrow"), v, 0, true, out);
    assertThat(empty.rows()).isZero();
    ArrowShards.Content c = ArrowShards.read(dir.resolve("empty.arrow"));
    assertThat(c.rows()).isEmpty();
    assertThat(c.schema()).isEqualTo(ArrowShardWriter.schema(D, true, ShardFormat.Dtype.FLOAT32));
  }

  @Test
  void optionsAreValidatedWithTheKeyAndTheRule() throws Exception {
    assertThatThrownBy(() -> ShardOutput.Format.fromId("feather"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Invalid value for output.format: \"feather\" (must be one of [parquet, arrow])");
    assertThatThrownBy(() -> ShardFormat.Dtype.fromId("bfloat16"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Invalid value for output.dtype: \"bfloat16\" (must be one of [float32,"
                + " float16])");
    ShardOutput huge =
        new ShardOutput(ShardOutput.Format.ARROW, ShardFormat.Dtype.FLOAT32, 1 << 24);
    FileSystem fs = FileSystem.getLocal(new Configuration()).getRawFileSystem();
    assertThatThrownBy(
            () ->
                huge.open(
                    fs,
                    new org.apache.hadoop.fs.Path(dir.toString(), "x"),
                    1280,
                    false,
                    new Configuration()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Invalid output.arrow_batch_rows: 16777216 rows x 1280 x 4 bytes")
        .hasMessageEndingWith("(must be <= 268435456)");
    assertThat(
            new ShardOutput(ShardOutput.Format.ARROW, ShardFormat.Dtype.FLOAT16, 8)
                .shardName(3, 64))
        .isEqualTo("part-00003-of-00064.arrow");
    assertThat(ShardOutput.PARQUET_FLOAT32.shardName(3, 64))
        .isEqualTo("part-00003-of-00064.parquet");
    assertThat(
            List.of(
                ShardOutput.PARQUET_FLOAT32.completionKey("abc"),
                new ShardOutput(ShardOutput.Format.ARROW, ShardFormat.Dtype.FLOAT16, 8)
                    .completionKey("abc")))
        .containsExactly("abc", "abc+float16");
  }

  @Test
  void shardOutputSurvivesJavaAndKryoSerialisation() {
    org.apache.spark.SparkConf conf = new org.apache.spark.SparkConf();
    ShardOutput out = new ShardOutput(ShardOutput.Format.ARROW, ShardFormat.Dtype.FLOAT16, 77);
    for (org.apache.spark.serializer.Serializer serializer :
        List.of(
            new org.apache.spark.serializer.JavaSerializer(conf),
            new org.apache.spark.serializer.KryoSerializer(conf))) {
      org.apache.spark.serializer.SerializerInstance s = serializer.newInstance();
      scala.reflect.ClassTag<ShardOutput> tag =
          scala.reflect.ClassTag$.MODULE$.apply(ShardOutput.class);
      ShardOutput copy = s.deserialize(s.serialize(out, tag), tag);
      assertThat(copy.format()).isEqualTo(ShardOutput.Format.ARROW);
      assertThat(copy.dtype()).isEqualTo(ShardFormat.Dtype.FLOAT16);
      assertThat(copy.arrowBatchRows()).isEqualTo(77);
    }
  }

  static String sha256(Path file) throws Exception {
    return java.util.HexFormat.of()
        .formatHex(
            java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }
}
