package dev.realign.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cutting corpus files into splits: whatever the split size, the records of all splits, in plan
 * order, are exactly those of reading the whole file (ids, texts, locations, rejects), including
 * lines longer than a split, CRLF, a missing final newline, blank lines, a byte order mark and
 * invalid UTF-8 across a cut. Gzip stays whole; Parquet is cut between row groups.
 */
class CorpusSplitTest {
  /** Split sizes from "every byte a range" (most ranges inside a line) to one range. */
  static final long[] SPLIT_SIZES = {1, 2, 3, 5, 7, 11, 16, 64, 100, 1000, 1 << 20};

  @TempDir Path dir;
  final Configuration conf = new Configuration();

  /** Lines with every edge case; invalid UTF-8 (0xC3 0x28) in the middle of a long line. */
  static byte[] awkwardBytes(boolean jsonl, boolean finalNewline) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}); // BOM
    for (int i = 0; i < 30; i++) {
      String text =
          i % 7 == 3
              ? "a much longer line, longer than several splits, about a cat "
                  + "sitting on a sofa in the afternoon sun number "
                  + i
              : "caption " + i;
      if (i % 5 == 2) {
        text = ""; // an empty line (JSONL: blank line; text: empty text)
      }
      String line =
          jsonl && !text.isEmpty() ? "{\"id\": \"r" + i + "\", \"text\": \"" + text + "\"}" : text;
      b.writeBytes(line.getBytes(StandardCharsets.UTF_8));
      if (i == 11) {
        // invalid UTF-8 and a multi-byte character, both likely to straddle some cut
        b.writeBytes(
            new byte[] {' ', (byte) 0xC3, (byte) 0x28, ' ', (byte) 0xE2, (byte) 0x82, (byte) 0xAC});
      }
      b.writeBytes(i % 3 == 0 ? new byte[] {'\r', '\n'} : new byte[] {'\n'});
    }
    b.writeBytes("the last line".getBytes(StandardCharsets.UTF_8));
    if (finalNewline) {
      b.write('\n');
    }
    return b.toByteArray();
  }

  private List<CorpusRecord> readWhole(CorpusReader reader, Path p, String rel) {
    List<CorpusRecord> out = new ArrayList<>();
    try (CorpusReader.Records r = reader.open(CorpusFile.of(p, rel))) {
      r.forEachRemaining(out::add);
    }
    return out;
  }

  /** The plan's splits of {@code files}, numbered as the encode job numbers them. */
  private List<CorpusSplit> plan(List<Path> files, long splitBytes) {
    List<CorpusSplit> whole = new ArrayList<>();
    for (Path p : files) {
      CorpusFile f = CorpusFile.of(p, p.getFileName().toString());
      whole.add(
          CorpusSplit.whole(
              whole.size(), p.toUri().toString(), f.relativePath(), f.format(), f.gzip()));
    }
    List<CorpusSplit> cut = CorpusSplitPlanner.cut(whole, splitBytes, conf);
    long[] counts = new long[cut.size()];
    for (int k = 0; k < cut.size(); k++) {
      counts[k] = CorpusSplitPlanner.countLines(cut.get(k), conf);
    }
    return CorpusSplitPlanner.numberLines(cut, counts);
  }

  private List<List<CorpusRecord>> readSplits(CorpusReader reader, List<CorpusSplit> splits) {
    List<List<CorpusRecord>> out = new ArrayList<>();
    for (CorpusSplit s : splits) {
      List<CorpusRecord> part = new ArrayList<>();
      try (CorpusReader.Records r = reader.open(s, conf)) {
        r.forEachRemaining(part::add);
      }
      out.add(part);
    }
    return out;
  }

  private static List<CorpusRecord> concat(List<List<CorpusRecord>> parts) {
    return parts.stream().flatMap(List::stream).toList();
  }

  @Test
  void anyCutOfALineFileGivesTheRecordsOfTheWholeFile() throws Exception {
    for (boolean jsonl : new boolean[] {true, false}) {
      for (boolean finalNewline : new boolean[] {true, false}) {
        String name = "corpus-" + finalNewline + (jsonl ? ".jsonl" : ".txt");
        Path p = dir.resolve(name);
        byte[] bytes = awkwardBytes(jsonl, finalNewline);
        Files.write(p, bytes);
        CorpusReader reader = CorpusReader.defaults();
        List<CorpusRecord> whole = readWhole(reader, p, name);
        assertThat(whole).hasSize(31);
        assertThat(whole.get(11).reject()).isNotNull();
        assertThat(whole.get(11).detail()).contains("invalid UTF-8 at " + name + ":12");
        assertThat(whole.get(30).location()).isEqualTo(name + ":31");
        for (long size : SPLIT_SIZES) {
          List<CorpusSplit> splits = plan(List.of(p), size);
          long expectedSplits = Math.max(1, (bytes.length + size - 1) / size);
          assertThat(splits).as("split size %s", size).hasSize((int) expectedSplits);
          for (int k = 0; k < splits.size(); k++) {
            assertThat(splits.get(k).index()).isEqualTo(k);
          }
          List<List<CorpusRecord>> parts = readSplits(reader, splits);
          assertThat(concat(parts)).as("%s cut every %s bytes", name, size).isEqualTo(whole);
          if (size == 1) {
            // Most one-byte ranges lie inside a line and own no line at all.
            assertThat(parts.stream().filter(List::isEmpty).count())
                .isGreaterThan(bytes.length / 2);
          }
        }
      }
    }
  }

  @Test
  void generatedIdsCarryTheGlobalLineNumber() throws Exception {
    StringBuilder b = new StringBuilder();
    for (int i = 1; i <= 500; i++) {
      b.append("text number ").append(i).append('\n');
    }
    Path p = dir.resolve("t.txt");
    Files.writeString(p, b.toString());
    List<CorpusSplit> splits = plan(List.of(p), 1000);
    assertThat(splits.size()).isGreaterThan(4);
    List<List<CorpusRecord>> parts = readSplits(CorpusReader.defaults(), splits);
    CorpusRecord firstOfThird = parts.get(2).get(0);
    long n = Long.parseLong(firstOfThird.text().substring("text number ".length()));
    assertThat(n).isGreaterThan(1);
    assertThat(firstOfThird.id()).isEqualTo(StableIds.lineId("t.txt", n));
    assertThat(firstOfThird.location()).isEqualTo("t.txt:" + n);
    assertThat(splits.get(2).firstNumber()).isEqualTo(n);
  }

  @Test
  void severalFilesKeepTheirOrderAndOwnNumbering() throws Exception {
    Path a = dir.resolve("a.txt");
    Path b = dir.resolve("b.txt");
    Files.writeString(a, "one\ntwo\nthree\nfour\nfive\n");
    Files.writeString(b, "six\nseven\neight\n");
    List<CorpusSplit> splits = plan(List.of(a, b), 6);
    assertThat(splits)
        .extracting(CorpusSplit::relativePath)
        .containsExactly("a.txt", "a.txt", "a.txt", "a.txt", "b.txt", "b.txt", "b.txt");
    List<CorpusRecord> all = concat(readSplits(CorpusReader.defaults(), splits));
    assertThat(all)
        .extracting(CorpusRecord::location)
        .containsExactly(
            "a.txt:1", "a.txt:2", "a.txt:3", "a.txt:4", "a.txt:5", "b.txt:1", "b.txt:2", "b.txt:3");
    assertThat(all)
        .extracting(CorpusRecord::text)
        .containsExactly("one", "two", "three", "four", "five", "six", "seven", "eight");
  }

  @Test
  void aGzipFileStaysWhole() throws Exception {
    Path p = dir.resolve("big.txt.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(p))) {
      for (int i = 0; i < 1000; i++) {
        out.write(("line " + i + "\n").getBytes(StandardCharsets.UTF_8));
      }
    }
    assertThat(Files.size(p)).isGreaterThan(100);
    List<CorpusSplit> splits = plan(List.of(p), 100);
    assertThat(splits).hasSize(1);
    assertThat(splits.get(0).kind()).isEqualTo(CorpusSplit.Kind.WHOLE);
    assertThat(splits.get(0).describe()).isEqualTo("big.txt.gz whole");
    assertThat(concat(readSplits(CorpusReader.defaults(), splits))).hasSize(1000);
  }

  static final MessageType SCHEMA =
      MessageTypeParser.parseMessageType(
          "message corpus { optional binary id (STRING); optional binary text (STRING); }");

  @Test
  void parquetIsCutBetweenRowGroupsWithGlobalRowNumbers() throws Exception {
    Path p = dir.resolve("c.parquet");
    SimpleGroupFactory f = new SimpleGroupFactory(SCHEMA);
    try (ParquetWriter<Group> w =
        ExampleParquetWriter.builder(new LocalOutputFile(p))
            .withType(SCHEMA)
            .withRowGroupRowCountLimit(10)
            .build()) {
      for (int i = 0; i < 95; i++) {
        Group g = f.newGroup();
        g.add("id", "p" + i);
        if (i != 42) {
          g.add("text", "parquet caption " + i);
        }
        w.write(g);
      }
    }
    List<CorpusRecord> whole = readWhole(CorpusReader.defaults(), p, "c.parquet");
    assertThat(whole).hasSize(95);
    assertThat(whole.get(42).detail()).contains("c.parquet:43");
    for (long size : new long[] {1, 200, 600, 1 << 20}) {
      List<CorpusSplit> splits = plan(List.of(p), size);
      if (size == 1) {
        assertThat(splits).hasSize(10); // one per row group
        assertThat(splits)
            .allMatch(s -> s.kind() == CorpusSplit.Kind.ROW_GROUPS && s.end() - s.start() == 1);
        assertThat(splits.get(4).firstNumber()).isEqualTo(41);
      }
      if (size == 1 << 20) {
        assertThat(splits).hasSize(1);
      }
      assertThat(concat(readSplits(CorpusReader.defaults(), splits)))
          .as("split size %s", size)
          .isEqualTo(whole);
    }
    // Without an id column, generated ids follow the global row number too.
    CorpusReader noIds = new CorpusReader(null, "text");
    assertThat(concat(readSplits(noIds, plan(List.of(p), 1))))
        .isEqualTo(readWhole(noIds, p, "c.parquet"));
  }

  @Test
  void lineStartsCountsTheLinesThatStartInARange() throws Exception {
    byte[] b = "ab\n\ncd\r\nef".getBytes(StandardCharsets.UTF_8);
    // line starts at 0, 3, 4 and 8
    assertThat(count(b, 0, b.length)).isEqualTo(4);
    assertThat(count(b, 0, 1)).isEqualTo(1);
    assertThat(count(b, 1, 3)).isEqualTo(0);
    assertThat(count(b, 3, 4)).isEqualTo(1);
    assertThat(count(b, 3, 9)).isEqualTo(3);
    assertThat(count(b, 9, 10)).isEqualTo(0);
    byte[] trailing = "ab\n".getBytes(StandardCharsets.UTF_8);
    assertThat(count(trailing, 0, 3)).isEqualTo(1); // the empty rest after the last \n is no line
    assertThat(count(trailing, 2, 3)).isEqualTo(0);
    assertThatThrownBy(() -> count(b, 4, 4))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid byte range: [4, 4) (must be non-empty and start at >= 0)");
    assertThatThrownBy(() -> LineStarts.count(new ByteArrayInputStream(b), 0, 50))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("file ended");
  }

  private static long count(byte[] b, long start, long end) throws IOException {
    ByteArrayInputStream in = new ByteArrayInputStream(b);
    in.skipNBytes(Math.max(start - 1, 0));
    return LineStarts.count(in, start, end);
  }

  @Test
  void equalRangesCoverTheFileExactly() {
    for (long size : new long[] {1, 7, 1000, 1_000_003}) {
      for (long n = 1; n <= Math.min(size, 9); n++) {
        assertThat(CorpusSplitPlanner.boundary(size, n, 0)).isZero();
        assertThat(CorpusSplitPlanner.boundary(size, n, n)).isEqualTo(size);
        for (long i = 0; i < n; i++) {
          long len =
              CorpusSplitPlanner.boundary(size, n, i + 1) - CorpusSplitPlanner.boundary(size, n, i);
          assertThat(len).isBetween(size / n, size / n + 1);
        }
      }
    }
    assertThatThrownBy(() -> CorpusSplitPlanner.cut(List.of(), 0, new Configuration()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid split size: 0 bytes (must be >= 1)");
  }
}
