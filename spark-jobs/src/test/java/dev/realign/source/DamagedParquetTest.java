package dev.realign.source;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The damaged-file table: {@code damaged_parquet.py} writes clean files with pyarrow (PLAIN,
 * RLE_DICTIONARY, BYTE_STREAM_SPLIT; V1 and V2 pages; SNAPPY, ZSTD, GZIP, LZ4_RAW and none; with
 * and without page CRCs), takes DuckDB's and the header-crafted files of this test beside them,
 * damages each one's vector column every way that applies, and records pyarrow's verdict on every
 * file. realign must refuse every file pyarrow refuses, naming the file (and, past the footer, the
 * row group, column and page), and read every other file to pyarrow's values, bit for bit; the few
 * damages pyarrow lets through and realign refuses are listed in {@link #STRICTER}. The table, both
 * verdicts per file, is written to {@code target/damaged-parquet/table.txt}.
 */
class DamagedParquetTest {
  private static final Configuration CONF = new Configuration();
  private static final Path OUT = Path.of("target", "damaged-parquet");
  private static final long PYTHON_TIMEOUT_S = 120;

  /**
   * Damage kinds pyarrow reads through and realign refuses, and why: each stream must end where its
   * page ends, and a page must decompress to exactly its declared size.
   */
  private static final Map<String, String> STRICTER =
      Map.of(
          "num-values-minus-one", "the level runs hold one entry more than the header says",
          "size-minus-one", "an uncompressed page or a V2 values section one byte off its size",
          "size-plus-one", "an uncompressed page or a V2 values section one byte off its size");

  /** How an error names where the damage is: row group, its rows, column and page. */
  private static final java.util.regex.Pattern PAGE_NAMED =
      java.util.regex.Pattern.compile(
          "row group \\d+ \\(rows \\d+\\.\\.\\d+\\), column '[^']+', page \\d+ ");

  private static Map<String, JsonNode> verdicts;

  @BeforeAll
  static void generate() throws Exception {
    if (Files.exists(OUT)) {
      try (Stream<Path> files = Files.walk(OUT)) {
        for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
    Files.createDirectories(OUT);
    crafted();
    List<String> cmd = new ArrayList<>();
    cmd.add("python3");
    cmd.add(resource("damaged-parquet/damaged_parquet.py").toString());
    cmd.add(OUT.toString());
    cmd.add(resource("third-party-parquet/duckdb-list.parquet").toString());
    cmd.add(resource("damaged-parquet/duckdb-dict.parquet").toString());
    cmd.add(resource("damaged-parquet/spark-list.parquet").toString());
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(PYTHON_TIMEOUT_S, TimeUnit.SECONDS)).as(log).isTrue();
    assertThat(p.exitValue()).as(log).isZero();
    JsonNode all = new ObjectMapper().readTree(OUT.resolve("verdicts.json").toFile());
    verdicts = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = all.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      verdicts.put(e.getKey(), e.getValue());
    }
  }

  static Path resource(String name) {
    try {
      return Path.of(DamagedParquetTest.class.getResource("/" + name).toURI());
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Files whose page headers claim 2e9 values or 2e9 uncompressed bytes over a few real bytes (the
   * footer agreeing), written page by page with parquet-mr's file writer: realign must refuse them
   * without allocating from the header.
   */
  static void crafted() throws Exception {
    MessageType schema =
        MessageTypeParser.parseMessageType(
            "message m { required binary id (STRING);"
                + " optional group embedding (LIST) { repeated group list { optional float element; } } }");
    int rows = 4;
    int dim = 2;
    int n = rows * dim;
    BytesInput levelsAndValues =
        BytesInput.concat(
            section(new byte[] {3, (byte) 0b1010_1010}), // rep: one bit-packed group 0,1,0,1,...
            section(new byte[] {(byte) (n << 1), 3}), // def: an RLE run of n x 3 (all defined)
            BytesInput.from(new byte[4 * n]));
    // num_values 2e9 in the page header and the footer; the levels hold 8 entries
    write("crafted-num-values-2e9.parquet", schema, 2_000_000_000, levelsAndValues, -1, false);
    // 5e7 values: under the entry cap, so the level runs are walked (8 entries) before any array
    write("crafted-num-values-5e7.parquet", schema, 50_000_000, levelsAndValues, -1, false);
    // uncompressed_page_size 2e9 over a 60-byte Snappy page whose own preamble says 60 bytes
    write("crafted-uncompressed-2e9.parquet", schema, n, levelsAndValues, 2_000_000_000, true);
    // the Snappy preamble agrees with the header's 2e9: the expansion bound refuses it
    write("crafted-snappy-says-2e9.parquet", schema, n, levelsAndValues, -2, true);
  }

  /**
   * A required string id column of {@code rows} ids ({@code prefix} and the row: {@code r0}, {@code
   * r1}, ...) in one PLAIN page, for files written page by page.
   */
  static void writeIds(ParquetFileWriter w, ColumnDescriptor id, int rows, String prefix)
      throws IOException {
    ByteArrayOutputStream ids = new ByteArrayOutputStream();
    for (int i = 0; i < rows; i++) {
      byte[] text = (prefix + i).getBytes(StandardCharsets.UTF_8);
      ids.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(text.length).array());
      ids.write(text);
    }
    w.startColumn(id, rows, CompressionCodecName.UNCOMPRESSED);
    w.writeDataPage(
        rows,
        ids.size(),
        BytesInput.from(ids.toByteArray()),
        Encoding.RLE,
        Encoding.RLE,
        Encoding.PLAIN);
    w.endColumn();
  }

  /**
   * A file writer at {@code file} with one row group of {@code rows} begun and its first column,
   * the ids ({@link #writeIds}, prefix {@code r}), written: the caller writes the vector column and
   * ends the row group and the file.
   */
  static ParquetFileWriter startWithIds(Path file, MessageType schema, int rows)
      throws IOException {
    ParquetFileWriter w =
        new ParquetFileWriter(
            CONF, schema, new org.apache.hadoop.fs.Path(file.toAbsolutePath().toUri()));
    w.start();
    w.startBlock(rows);
    writeIds(w, schema.getColumns().get(0), rows, "r");
    return w;
  }

  /** A V1 level section: its 4-byte length, then its runs. */
  static BytesInput section(byte[] runs) {
    return BytesInput.concat(BytesInput.fromInt(runs.length), BytesInput.from(runs));
  }

  private static void write(
      String name,
      MessageType schema,
      int values,
      BytesInput page,
      int uncompressed,
      boolean snappy)
      throws Exception {
    ParquetFileWriter w = startWithIds(OUT.resolve(name), schema, 4);
    byte[] raw = page.toByteArray();
    CompressionCodecName codec =
        snappy ? CompressionCodecName.SNAPPY : CompressionCodecName.UNCOMPRESSED;
    w.startColumn(schema.getColumns().get(1), values, codec);
    byte[] body = raw;
    int size = raw.length;
    if (snappy) {
      body = org.xerial.snappy.Snappy.compress(raw);
      size = uncompressed;
      if (uncompressed == -2) { // forge the preamble: varint 2e9 in place of the real length
        size = 2_000_000_000;
        byte[] pre = {(byte) 0x80, (byte) 0xa8, (byte) 0xd6, (byte) 0xb9, 0x07};
        int old = 1; // the real length (< 128) took one byte
        byte[] forged = new byte[body.length - old + pre.length];
        System.arraycopy(pre, 0, forged, 0, pre.length);
        System.arraycopy(body, old, forged, pre.length, body.length - old);
        body = forged;
      }
    }
    w.writeDataPage(
        values, size, BytesInput.from(body), Encoding.RLE, Encoding.RLE, Encoding.PLAIN);
    w.endColumn();
    w.endBlock();
    w.end(new HashMap<>());
  }

  /** realign's verdict: null when it reads the file, else its error. */
  record Read(List<Object[]> rows, Throwable error) {}

  static Read readWithRealign(Path file) {
    try {
      EmbeddingSet set = ThirdPartyInputsTest.plan(file, EmbeddingFormat.PARQUET);
      return new Read(ThirdPartyInputsTest.read(set), null);
    } catch (IllegalArgumentException | UncheckedIOException e) {
      return new Read(null, e);
    }
  }

  @Test
  void realignRefusesWhatPyarrowRefusesAndReadsTheRestToPyarrowsValues() throws Exception {
    assertThat(verdicts).hasSizeGreaterThan(150);
    List<String> table = new ArrayList<>();
    List<String> disagreements = new ArrayList<>();
    Set<String> stricterSeen = new java.util.TreeSet<>();
    for (Map.Entry<String, JsonNode> e : verdicts.entrySet()) {
      String name = e.getKey();
      JsonNode pyarrow = e.getValue();
      String kind =
          name.contains("~") ? name.substring(name.indexOf('~') + 1, name.length() - 8) : "";
      Read r = readWithRealign(OUT.resolve(name));
      boolean pyOk = pyarrow.get("ok").asBoolean();
      String pyText = pyOk ? "reads" : "refuses: " + pyarrow.get("error").asText();
      String reText = r.error == null ? "reads" : "refuses: " + r.error.getMessage();
      table.add(name + "\n  pyarrow " + pyText + "\n  realign " + reText);
      if (r.error != null) {
        String msg = r.error.getMessage();
        boolean footer = kind.equals("truncated") || kind.equals("footer-only");
        if (!msg.contains(name) || !footer && !PAGE_NAMED.matcher(msg).find()) {
          disagreements.add(
              name + ": realign's error does not name file/row group/column/page: " + msg);
        }
        if (pyOk) {
          if (STRICTER.containsKey(kind)) {
            stricterSeen.add(kind);
          } else {
            disagreements.add(name + ": pyarrow reads it, realign refuses: " + msg);
          }
        }
      } else if (!pyOk) {
        disagreements.add(name + ": pyarrow refuses (" + pyText + "), realign reads it");
      } else {
        String diff = sameValues(pyarrow, r.rows);
        if (diff != null) {
          disagreements.add(name + ": realign reads other values than pyarrow: " + diff);
        }
      }
    }
    Files.write(OUT.resolve("table.txt"), table);
    assertThat(disagreements).as("see " + OUT.resolve("table.txt")).isEmpty();
    assertThat(stricterSeen).as("each listed stricter case occurs").isEqualTo(STRICTER.keySet());
  }

  /** Null when realign's rows equal pyarrow's ids and float bits; else the first difference. */
  static String sameValues(JsonNode pyarrow, List<Object[]> rows) {
    JsonNode ids = pyarrow.get("ids");
    JsonNode bits = pyarrow.get("bits");
    if (ids.size() != rows.size()) {
      return ids.size() + " rows (pyarrow) vs " + rows.size();
    }
    for (int i = 0; i < rows.size(); i++) {
      String id = ids.get(i).isNull() ? null : ids.get(i).asText();
      if (!java.util.Objects.equals(id, rows.get(i)[0])) {
        return "row " + i + " id " + ids.get(i) + " vs " + rows.get(i)[0];
      }
      JsonNode b = bits.get(i);
      float[] v = (float[]) rows.get(i)[2];
      if (b.isNull()) {
        if (rows.get(i)[3] == null) {
          return "row " + i + ": pyarrow has a null, realign a vector";
        }
        continue;
      }
      if (v == null || v.length != b.size()) {
        return "row " + i + ": " + b.size() + " components vs " + (v == null ? 0 : v.length);
      }
      for (int j = 0; j < v.length; j++) {
        if (Float.floatToRawIntBits(v[j]) != (int) b.get(j).asLong()) {
          return "row " + i + " component " + j + ": " + b.get(j) + " vs " + v[j];
        }
      }
    }
    return null;
  }

  @Test
  void theTableCoversEveryEncodingCodecAndPageVersion() throws IOException {
    Set<String> bases = new java.util.TreeSet<>();
    for (String name : verdicts.keySet()) {
      String base = name.contains("~") ? name.substring(0, name.indexOf('~')) : name;
      bases.add(base.endsWith(".parquet") ? base : base + ".parquet");
    }
    StringBuilder seen = new StringBuilder();
    for (String base : bases) {
      try (org.apache.parquet.hadoop.ParquetFileReader r =
          org.apache.parquet.hadoop.ParquetFileReader.open(
              org.apache.parquet.hadoop.util.HadoopInputFile.fromPath(
                  new org.apache.hadoop.fs.Path(OUT.resolve(base).toAbsolutePath().toUri()),
                  CONF))) {
        var chunks = r.getRowGroups().get(0).getColumns();
        var c = chunks.get(chunks.size() - 1);
        seen.append(c.getCodec()).append(' ').append(c.getEncodings()).append(' ');
      }
    }
    String s = seen.toString();
    for (String want :
        new String[] {
          "SNAPPY",
          "ZSTD",
          "GZIP",
          "LZ4_RAW",
          "UNCOMPRESSED",
          "RLE_DICTIONARY",
          "PLAIN_DICTIONARY",
          "BYTE_STREAM_SPLIT",
          "PLAIN"
        }) {
      assertThat(s).as(want).contains(want);
    }
    assertThat(bases).anyMatch(b -> b.contains("v2")).anyMatch(b -> b.contains("crc"));
    assertThat(bases).contains("duckdb-dict.parquet", "spark-list.parquet");
  }
}
