package dev.realign.source;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.column.ParquetProperties.WriterVersion;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;

/**
 * A seeded mutation fuzz of realign's Parquet reader: small valid files (parquet-mr with and
 * without page CRCs, every codec, V1 and V2 pages, dictionary and PLAIN; DuckDB's and Spark's) get
 * 1 to 4 byte mutations (bit flips, random bytes, zeroed or copied ranges, planted sizes, a cut
 * end) and are read in full. Every outcome must be the clean file's answer, or an error naming the
 * file; never an OutOfMemoryError or other crash, nor a read running past {@link #HANG_S}. A
 * different answer without an error is allowed only where no reader can tell (the mutated bytes
 * have no CRC over them) and pyarrow reads the same file to the very same bits. Budget: {@code
 * -Drealign.fuzz.iterations} (default {@link #DEFAULT_ITERATIONS}, about 15 s on 2 busy cores); the
 * figures go to {@code target/parquet-fuzz/summary.txt}.
 */
class ParquetFuzzTest {
  private static final Configuration CONF = new Configuration();
  static final int DEFAULT_ITERATIONS = 250;
  private static final long SEED = 22;
  private static final long HANG_S = 20;
  private static final Path OUT = Path.of("target", "parquet-fuzz");

  /** A seed file: its bytes, whether every page has a CRC, and its clean answer. */
  record Seed(String name, byte[] bytes, boolean crc, List<String> answer) {}

  private static List<Seed> seeds() throws Exception {
    Files.createDirectories(OUT.resolve("seeds"));
    List<Seed> seeds = new ArrayList<>();
    Object[][] configs = {
      {"mr-snappy-v1-dict-crc", CompressionCodecName.SNAPPY, WriterVersion.PARQUET_1_0, true, true},
      {"mr-zstd-v2-dict-crc", CompressionCodecName.ZSTD, WriterVersion.PARQUET_2_0, true, true},
      {"mr-gzip-v1-plain-crc", CompressionCodecName.GZIP, WriterVersion.PARQUET_1_0, false, true},
      {
        "mr-none-v1-dict-crc",
        CompressionCodecName.UNCOMPRESSED,
        WriterVersion.PARQUET_1_0,
        true,
        true
      },
      {
        "mr-lz4raw-v2-plain-crc",
        CompressionCodecName.LZ4_RAW,
        WriterVersion.PARQUET_2_0,
        false,
        true
      },
      {
        "mr-none-v1-dict", CompressionCodecName.UNCOMPRESSED, WriterVersion.PARQUET_1_0, true, false
      },
      {
        "mr-none-v2-dict", CompressionCodecName.UNCOMPRESSED, WriterVersion.PARQUET_2_0, true, false
      },
      {"mr-snappy-v1-plain", CompressionCodecName.SNAPPY, WriterVersion.PARQUET_1_0, false, false},
    };
    for (Object[] c : configs) {
      Path file = OUT.resolve("seeds").resolve(c[0] + ".parquet");
      write(
          file, (CompressionCodecName) c[1], (WriterVersion) c[2], (boolean) c[3], (boolean) c[4]);
      seeds.add(seed((String) c[0], file, (boolean) c[4]));
    }
    for (String name : new String[] {"duckdb-dict", "spark-list"}) {
      seeds.add(
          seed(name, DamagedParquetTest.resource("damaged-parquet/" + name + ".parquet"), false));
    }
    return seeds;
  }

  private static Seed seed(String name, Path file, boolean crc) throws Exception {
    List<String> answer = answer(file);
    assertThat(answer).as(name).hasSizeGreaterThan(20);
    return new Seed(name, Files.readAllBytes(file), crc, answer);
  }

  /** 60 rows of 8 quarter-step floats (values repeat: dictionary pages stay), pages of ~512 B. */
  private static void write(
      Path file, CompressionCodecName codec, WriterVersion version, boolean dict, boolean crc)
      throws Exception {
    MessageType schema =
        MessageTypeParser.parseMessageType(
            "message m { required binary id (STRING); optional group embedding (LIST) {"
                + " repeated group list { optional float element; } } }");
    Files.deleteIfExists(file);
    Random random = new Random(7);
    try (ParquetWriter<Group> w =
        ExampleParquetWriter.builder(new org.apache.hadoop.fs.Path(file.toAbsolutePath().toUri()))
            .withType(schema)
            .withConf(CONF)
            .withCompressionCodec(codec)
            .withWriterVersion(version)
            .withDictionaryEncoding(dict)
            .withPageWriteChecksumEnabled(crc)
            .withPageSize(512)
            .withMinRowCountForPageSizeCheck(4)
            .build()) {
      SimpleGroupFactory f = new SimpleGroupFactory(schema);
      for (int i = 0; i < 60; i++) {
        Group g = f.newGroup().append("id", "r" + i);
        Group list = g.addGroup("embedding");
        for (int j = 0; j < 8; j++) {
          list.addGroup("list").append("element", (random.nextInt(16) - 8) / 4f);
        }
        w.write(g);
      }
    }
  }

  /** Every row as "id reason [float bits...]", in file order. */
  static List<String> answer(Path file) {
    List<String> out = new ArrayList<>();
    for (Object[] r :
        ThirdPartyInputsTest.read(ThirdPartyInputsTest.plan(file, EmbeddingFormat.PARQUET))) {
      float[] v = (float[]) r[2];
      int[] bits = new int[v == null ? 0 : v.length];
      for (int j = 0; j < bits.length; j++) {
        bits[j] = Float.floatToRawIntBits(v[j]);
      }
      out.add(r[0] + " " + r[3] + " " + Arrays.toString(bits));
    }
    return out;
  }

  static byte[] mutate(byte[] clean, Random random) {
    byte[] b = clean.clone();
    int ops = 1 + random.nextInt(4);
    for (int k = 0; k < ops && b.length > 8; k++) {
      // half of the mutations land in the pages (before the footer), where the decoders are
      int footer =
          ByteBuffer.wrap(clean, clean.length - 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
      int dataEnd = Math.max(5, Math.min(b.length, clean.length - 8 - footer));
      int at = random.nextBoolean() ? 4 + random.nextInt(dataEnd - 4) : random.nextInt(b.length);
      switch (random.nextInt(7)) {
        case 0 -> b[at] ^= (byte) (1 << random.nextInt(8));
        case 1 -> b[at] = (byte) random.nextInt(256);
        case 2 -> Arrays.fill(b, at, Math.min(b.length, at + 1 + random.nextInt(64)), (byte) 0);
        case 3 -> {
          int from = random.nextInt(b.length);
          int n = Math.min(1 + random.nextInt(32), Math.min(b.length - from, b.length - at));
          System.arraycopy(b, from, b, at, n);
        }
        case 4 -> {
          int[] planted = {0, 1, -1, 127, 128, 0x7fffffff, 2_000_000_000, 65_536};
          int v = planted[random.nextInt(planted.length)];
          for (int q = 0; q < 4 && at + q < b.length; q++) {
            b[at + q] = (byte) (v >>> (8 * q));
          }
        }
        case 5 -> b[at] = (byte) (b[at] + (random.nextBoolean() ? 1 : -1));
        default -> {
          if (random.nextInt(8) == 0) {
            b = Arrays.copyOf(b, Math.max(1, at)); // a cut end, now and then
          } else {
            b[at] = (byte) 0xff;
          }
        }
      }
    }
    return b;
  }

  @Test
  void mutatedParquetReadsTheSameOrFailsNamingTheFile() throws Exception {
    int iterations = Integer.getInteger("realign.fuzz.iterations", DEFAULT_ITERATIONS);
    List<Seed> seeds = seeds();
    Path work = OUT.resolve("cases");
    Files.createDirectories(work);
    try (var old = Files.list(work)) {
      for (Path p : old.toList()) {
        Files.delete(p);
      }
    }
    Random random = new Random(SEED);
    int same = 0;
    int refused = 0;
    List<String> findings = new ArrayList<>();
    TreeMap<String, Integer> errors = new TreeMap<>();
    List<String> toPyarrow = new ArrayList<>();
    TreeMap<String, List<String>> answers = new TreeMap<>();
    ExecutorService pool = Executors.newSingleThreadExecutor();
    long started = System.nanoTime();
    try {
      for (int i = 0; i < iterations; i++) {
        Seed s = seeds.get(random.nextInt(seeds.size()));
        byte[] bytes = mutate(s.bytes, random);
        String name = String.format("%06d-%s.parquet", i, s.name);
        Path file = work.resolve(name);
        Files.write(file, bytes);
        Future<List<String>> read = pool.submit(() -> answer(file));
        List<String> got;
        try {
          got = read.get(HANG_S, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
          findings.add(name + ": no answer after " + HANG_S + " s (hang)");
          break; // the thread cannot be stopped: report and end the run
        } catch (java.util.concurrent.ExecutionException e) {
          Throwable t = e.getCause();
          if ((t instanceof IllegalArgumentException || t instanceof UncheckedIOException)
              && t.getMessage() != null
              && t.getMessage().contains(name)) {
            refused++;
            errors.merge(errorKind(t.getMessage()), 1, Integer::sum);
            Files.delete(file);
          } else {
            findings.add(name + ": " + t);
          }
          continue;
        }
        if (got.equals(s.answer)) {
          same++;
          Files.delete(file);
        } else if (s.crc) {
          findings.add(name + ": a different answer, no error, though every page has a CRC");
        } else {
          toPyarrow.add(name);
          answers.put(name, got);
        }
      }
    } finally {
      pool.shutdownNow();
    }
    long fuzzMs = (System.nanoTime() - started) / 1_000_000;
    int agreed = 0;
    if (!toPyarrow.isEmpty()) {
      JsonNode verdicts = pyarrowVerdicts(work);
      for (String name : toPyarrow) {
        JsonNode v = verdicts.get(name);
        String diff = v.get("ok").asBoolean() ? sameAsPyarrow(v, answers.get(name)) : "refuses";
        if (diff == null) {
          agreed++;
        } else {
          findings.add(
              name + ": realign reads a different answer without an error; pyarrow " + diff);
        }
      }
    }
    List<String> summary = new ArrayList<>();
    summary.add(
        iterations
            + " iterations in "
            + fuzzMs
            + " ms (seed "
            + SEED
            + "): "
            + same
            + " read the clean answer, "
            + refused
            + " refused naming the file, "
            + agreed
            + " read damage no reader can see (pyarrow reads the same bits), "
            + findings.size()
            + " findings");
    errors.forEach((k, n) -> summary.add("  " + n + " x " + k));
    findings.forEach(f -> summary.add("FINDING " + f));
    Files.write(OUT.resolve("summary.txt"), summary);
    assertThat(findings).as(String.join("\n", summary)).isEmpty();
    assertThat(same + refused + agreed).isEqualTo(iterations);
    assertThat(refused).as("mutations that realign refuses").isGreaterThan(iterations / 10);
  }

  /** An error message without the file and numbers: its kind, for the summary. */
  static String errorKind(String message) {
    String m =
        message
            .replaceAll("file:\\S+", "FILE")
            .replaceAll("\\b(?=[0-9a-f]*\\d)[0-9a-f]+\\b", "N")
            .replaceAll("-?\\d+", "N");
    int cut = m.indexOf(" is corrupt or unreadable: ");
    if (cut >= 0) {
      m = m.substring(cut + 27);
    }
    return m.length() > 110 ? m.substring(0, 110) : m;
  }

  private static JsonNode pyarrowVerdicts(Path dir) throws Exception {
    Process p =
        new ProcessBuilder(
                "python3",
                DamagedParquetTest.resource("damaged-parquet/damaged_parquet.py").toString(),
                "--verdicts",
                dir.toString())
            .redirectErrorStream(true)
            .start();
    String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as(log).isTrue();
    assertThat(p.exitValue()).as(log).isZero();
    return new ObjectMapper().readTree(dir.resolve("verdicts.json").toFile());
  }

  /**
   * Null when realign's rows are pyarrow's: the same ids (null where pyarrow's is not valid UTF-8)
   * and float bits; a row pyarrow reads with a null vector (or component) is one realign rejects.
   * The reject reason is not compared (a 9-float row pyarrow reads is one realign rejects as
   * wrong_dimension, with the same 9 floats); else what differs.
   */
  private static String sameAsPyarrow(JsonNode v, List<String> rows) {
    JsonNode ids = v.get("ids");
    JsonNode bits = v.get("bits");
    if (ids.size() != rows.size()) {
      return "reads " + ids.size() + " rows, realign " + rows.size();
    }
    for (int i = 0; i < rows.size(); i++) {
      String row = rows.get(i);
      String id = (ids.get(i).isNull() ? "null" : ids.get(i).asText()) + " ";
      JsonNode b = bits.get(i);
      boolean nullRow = b == null || b.isNull();
      StringBuilder want = new StringBuilder("[");
      for (int j = 0; !nullRow && j < b.size(); j++) {
        want.append(j == 0 ? "" : ", ").append((int) b.get(j).asLong());
      }
      want.append(']');
      String rest = row.startsWith(id) ? row.substring(id.length()) : null;
      boolean same =
          rest != null && (nullRow ? !rest.startsWith("null ") : rest.endsWith(" " + want));
      if (!same) {
        return "reads row " + i + " as " + id + (nullRow ? "null" : want) + ", realign " + row;
      }
    }
    return null;
  }
}
