package dev.realign.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.realign.job.SparkTestSession;
import dev.realign.source.Columns;
import dev.realign.source.EmbeddingFormat;
import dev.realign.source.EmbeddingSet;
import dev.realign.source.EmbeddingSetPlanner;
import dev.realign.source.EmbeddingSplit;
import dev.realign.source.RowBatch;
import dev.realign.source.SplitReader;
import dev.realign.vector.Float16;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The column-level shard writer: what it writes reads back bit for bit through our reader and
 * through Spark, in every dtype and codec, over many pages and row groups; its bytes are a function
 * of the rows; a corrupted shard fails naming the file and the row group.
 */
class ColumnLevelShardsTest {
  private static final Configuration CONF = new Configuration();
  private static SparkSession spark;

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    spark = SparkTestSession.start();
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  /** Rows with every float class a vector can hold, and null and non-ASCII texts. */
  static float[] rows(int n, int d) {
    Random rnd = new Random(n * 31L + d);
    float[] v = new float[n * d];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) rnd.nextGaussian();
    }
    v[0] = Float.intBitsToFloat(0x7fc0_1234); // a NaN with a payload
    if (v.length > 3) {
      v[1] = -0f;
      v[2] = Float.MIN_VALUE;
      v[3] = Float.NEGATIVE_INFINITY;
    }
    return v;
  }

  static String text(int i) {
    return i % 5 == 0 ? null : "text " + i + (i % 7 == 0 ? " \u00e9\u4e2d" : "");
  }

  private Path write(
      String name, int n, int d, ShardFormat format, int pageBytes, long rowGroupBytes)
      throws Exception {
    Path file = dir.resolve(name);
    float[] v = rows(n, d);
    try (ShardWriter w =
        new ShardWriter(
            FileSystem.getLocal(CONF),
            new org.apache.hadoop.fs.Path(file.toUri()),
            d,
            true,
            format,
            pageBytes,
            rowGroupBytes)) {
      for (int i = 0; i < n; i++) {
        w.write("id-" + i, text(i), v, i * d);
      }
      ShardInfo info = w.finish();
      assertThat(info.rows()).isEqualTo(n);
      assertThat(info.bytes()).isEqualTo(Files.size(file));
      assertThat(info.sha256())
          .isEqualTo(
              ShardManifest.sha256(
                  FileSystem.getLocal(CONF), new org.apache.hadoop.fs.Path(file.toUri())));
    }
    return file;
  }

  static EmbeddingSet plan(Path file) {
    return EmbeddingSetPlanner.plan(
        new EmbeddingSetPlanner.Spec(
            "text",
            file.toUri().toString(),
            EmbeddingFormat.PARQUET,
            null,
            Columns.DEFAULT,
            1 << 20,
            0),
        CONF);
  }

  /** Reads every row through our reader: ids, texts, vectors (rejected rows as raw). */
  static List<Object[]> read(EmbeddingSet set) {
    List<Object[]> out = new ArrayList<>();
    for (EmbeddingSplit split : set.splits()) {
      RowBatch batch = new RowBatch(set.dim(), 97);
      try (SplitReader r = EmbeddingSetPlanner.open(set, split, false, CONF)) {
        while (r.next(batch)) {
          for (int i = 0; i < batch.size; i++) {
            out.add(
                new Object[] {batch.ids[i], batch.texts[i], batch.rawVector(i), batch.reasons[i]});
          }
        }
      }
    }
    return out;
  }

  private static void assertRows(List<Object[]> got, int n, int d, boolean half) {
    float[] v = rows(n, d);
    assertThat(got).hasSize(n);
    for (int i = 0; i < n; i++) {
      assertThat(got.get(i)[0]).isEqualTo("id-" + i);
      assertThat(got.get(i)[1]).isEqualTo(text(i));
      assertThat(got.get(i)[3]).as("row %d rejected", i).isNull();
      float[] row = (float[]) got.get(i)[2];
      for (int j = 0; j < d; j++) {
        float want = half ? Float16.toFloat(Float16.fromFloat(v[i * d + j])) : v[i * d + j];
        if (Float.isNaN(want)) {
          assertThat(Float.isNaN(row[j])).isTrue();
          if (!half) {
            assertThat(Float.floatToRawIntBits(row[j])).isEqualTo(0x7fc0_1234);
          }
        } else {
          assertThat(Float.floatToRawIntBits(row[j]))
              .as("row %d component %d", i, j)
              .isEqualTo(Float.floatToRawIntBits(want));
        }
      }
    }
  }

  @Test
  void everyCodecAndDtypeReadsBackBitForBitOverManyPagesAndRowGroups() throws Exception {
    int n = 1_000;
    int d = 13;
    for (ShardFormat.Dtype dtype : ShardFormat.Dtype.values()) {
      for (ShardFormat.Codec codec : ShardFormat.Codec.values()) {
        ShardFormat format = new ShardFormat(dtype, codec);
        Path file =
            write(format.toString().replace('/', '-') + ".parquet", n, d, format, 2_000, 20_000);
        try (ParquetFileReader r =
            ParquetFileReader.open(
                HadoopInputFile.fromPath(new org.apache.hadoop.fs.Path(file.toUri()), CONF))) {
          assertThat(r.getRowGroups()).as(format + " row groups").hasSizeGreaterThan(1);
          ColumnChunkMetaData c = r.getRowGroups().get(0).getColumns().get(2);
          assertThat(c.getCodec().name()).isEqualTo(codec.name());
          MessageType schema = r.getFooter().getFileMetaData().getSchema();
          assertThat(schema).isEqualTo(ShardSchemas.shard(true, dtype));
          if (dtype == ShardFormat.Dtype.FLOAT16) {
            assertThat(schema.getColumns().get(2).getPrimitiveType().getLogicalTypeAnnotation())
                .isEqualTo(LogicalTypeAnnotation.float16Type());
          }
        }
        EmbeddingSet set = plan(file);
        assertThat(set.dim()).isEqualTo(d);
        assertRows(read(set), n, d, dtype == ShardFormat.Dtype.FLOAT16);
      }
    }
  }

  @Test
  void sparkReadsTheShardsAsBefore() throws Exception {
    int n = 300;
    int d = 5;
    Path file = write("spark.parquet", n, d, ShardFormat.DEFAULT, 1_000, 10_000);
    Dataset<Row> df = spark.read().parquet(file.toString());
    assertThat(df.schema().simpleString())
        .isEqualTo("struct<id:string,text:string,embedding:array<float>>");
    List<Row> rows = df.collectAsList();
    float[] v = rows(n, d);
    assertThat(rows).hasSize(n);
    for (int i = 0; i < n; i++) {
      Row r = rows.get(i);
      assertThat(r.getString(0)).isEqualTo("id-" + i);
      assertThat(r.isNullAt(1) ? null : r.getString(1)).isEqualTo(text(i));
      List<Object> e = r.getList(2);
      assertThat(e).hasSize(d);
      for (int j = 0; j < d; j++) {
        assertThat(Float.floatToRawIntBits((Float) e.get(j)))
            .isEqualTo(Float.floatToRawIntBits(v[i * d + j]));
      }
    }
  }

  @Test
  void theBytesAreAFunctionOfTheRowsAndTheFormat() throws Exception {
    Path a = write("a.parquet", 500, 9, ShardFormat.DEFAULT, 3_000, 30_000);
    Path b = write("b.parquet", 500, 9, ShardFormat.DEFAULT, 3_000, 30_000);
    assertThat(Files.readAllBytes(a)).isEqualTo(Files.readAllBytes(b));
    Path c =
        write(
            "c.parquet",
            500,
            9,
            new ShardFormat(ShardFormat.Dtype.FLOAT32, ShardFormat.Codec.ZSTD),
            3_000,
            30_000);
    assertThat(Files.readAllBytes(c)).isNotEqualTo(Files.readAllBytes(a));
  }

  @Test
  void theFormatOptionsNameTheKeyAndTheChoices() {
    assertThat(
            ShardFormat.parse("output.dtype", "Float16", "output.parquet.codec", "ZSTD").toString())
        .isEqualTo("float16/zstd");
    assertThatThrownBy(
            () -> ShardFormat.parse("output.dtype", "bfloat16", "output.parquet.codec", "none"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Invalid value for output.dtype: \"bfloat16\" (must be one of [float32, float16])");
    assertThatThrownBy(
            () -> ShardFormat.parse("output.dtype", "float32", "output.parquet.codec", "lz4"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Invalid value for output.parquet.codec: \"lz4\" (must be one of [uncompressed,"
                + " snappy, zstd])");
  }

  @Test
  void aCorruptedShardFailsOnItsPageCrcNamingTheFileAndTheRowGroup() throws Exception {
    for (ShardFormat.Codec codec : ShardFormat.Codec.values()) {
      Path file =
          write(
              "corrupt-" + codec + ".parquet",
              4_000,
              64,
              new ShardFormat(ShardFormat.Dtype.FLOAT32, codec),
              100_000,
              300_000);
      long[] page = vectorPage(file, 1);
      zero(file, page[0] + 100, 5_000);
      EmbeddingSet set = plan(file);
      assertThatThrownBy(() -> read(set))
          .as(codec.toString())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("Invalid Parquet file " + set.files().get(0))
          .hasMessageContaining("row group 1 (rows ")
          .hasMessageContaining("is corrupt")
          .hasMessageContaining("CRC checksum verification failed");
    }
  }

  /** Offset and size of the vector column chunk of row group {@code group}. */
  static long[] vectorPage(Path file, int group) throws Exception {
    try (ParquetFileReader r =
        ParquetFileReader.open(
            HadoopInputFile.fromPath(new org.apache.hadoop.fs.Path(file.toUri()), CONF))) {
      List<ColumnChunkMetaData> cols = r.getRowGroups().get(group).getColumns();
      ColumnChunkMetaData c = cols.get(cols.size() - 1);
      return new long[] {c.getFirstDataPageOffset(), c.getTotalSize()};
    }
  }

  /** Zeroes bytes as a disk or a copy would: the local file system's .crc sidecar goes too. */
  static void zero(Path file, long at, int n) throws Exception {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(at);
      f.write(new byte[n]);
    }
    Files.deleteIfExists(file.resolveSibling("." + file.getFileName() + ".crc"));
  }
}
