package dev.realign.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.realign.vector.RejectReason;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorpusReaderTest {
  /** Bytes that are not UTF-8: a lone continuation byte and a truncated 3-byte sequence. */
  static final byte[] BAD_UTF8 = {'a', ' ', (byte) 0x80, ' ', (byte) 0xE2, (byte) 0x82};

  @TempDir Path dir;

  static List<CorpusRecord> readAll(CorpusReader reader, CorpusFile file) {
    List<CorpusRecord> out = new ArrayList<>();
    try (CorpusReader.Records records = reader.open(file)) {
      records.forEachRemaining(out::add);
    }
    return out;
  }

  private Path write(String name, byte[]... lines) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (byte[] l : lines) {
      b.writeBytes(l);
      b.write('\n');
    }
    Path p = dir.resolve(name);
    byte[] bytes = b.toByteArray();
    if (name.endsWith(".gz")) {
      try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(p))) {
        out.write(bytes);
      }
    } else {
      Files.write(p, bytes);
    }
    return p;
  }

  private static byte[] u(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void jsonlGivesTextsAndRejectsWithFileAndLine() throws Exception {
    for (String name : new String[] {"c.jsonl", "c.jsonl.gz"}) {
      Path p =
          write(
              name,
              u("{\"id\": \"a\", \"text\": \"A dog on a beach.\"}"),
              u("{\"id\": 7, \"text\": \"Caf\u00e9 \u2615 ok\"}"),
              u("{\"id\": \"b\", \"text\": "),
              u("{\"id\": \"c\", \"text\": null}"),
              u("{\"id\": \"d\", \"text\": \"  \"}"),
              u("{\"text\": \"no id\"}"),
              u("{\"id\": \"e\", \"text\": 42}"),
              BAD_UTF8,
              u(""),
              u("[1, 2]"),
              u("{\"id\": \"f\", \"text\": \"trailing\"} junk"),
              u("{\"id\": \"g\", \"text\": \"last\"}\r"));
      List<CorpusRecord> r = readAll(CorpusReader.defaults(), CorpusFile.of(p, name));
      assertThat(r).hasSize(12);
      assertThat(r.get(0)).isEqualTo(CorpusRecord.ok("a", "A dog on a beach.", name + ":1"));
      assertThat(r.get(1)).isEqualTo(CorpusRecord.ok("7", "Caf\u00e9 \u2615 ok", name + ":2"));
      assertReject(
          r.get(2), RejectReason.UNREADABLE_TEXT, name + ":3", "invalid JSON at " + name + ":3");
      assertReject(r.get(3), RejectReason.EMPTY_TEXT, name + ":4", "is missing or null");
      assertThat(r.get(3).id()).isEqualTo("c");
      assertReject(r.get(4), RejectReason.EMPTY_TEXT, name + ":5", "empty text");
      assertReject(r.get(5), RejectReason.NULL_ID, name + ":6", "id field 'id' is missing");
      assertReject(r.get(6), RejectReason.UNREADABLE_TEXT, name + ":7", "is not a string");
      assertReject(
          r.get(7), RejectReason.UNREADABLE_TEXT, name + ":8", "invalid UTF-8 at " + name + ":8");
      assertReject(r.get(8), RejectReason.EMPTY_TEXT, name + ":9", "blank line");
      assertReject(r.get(9), RejectReason.UNREADABLE_TEXT, name + ":10", "not a JSON object");
      assertReject(r.get(10), RejectReason.UNREADABLE_TEXT, name + ":11", "invalid JSON");
      assertThat(r.get(11)).isEqualTo(CorpusRecord.ok("g", "last", name + ":12"));
    }
  }

  @Test
  void jsonlWithConfiguredFieldsAndGeneratedIds() throws Exception {
    Path p = write("x.jsonl", u("{\"caption\": \"one\"}"), u("{\"caption\": \"two\"}"));
    List<CorpusRecord> r =
        readAll(new CorpusReader(null, "caption"), CorpusFile.of(p, "sub/x.jsonl"));
    assertThat(r)
        .extracting(CorpusRecord::id)
        .containsExactly(StableIds.lineId("sub/x.jsonl", 1), StableIds.lineId("sub/x.jsonl", 2));
    assertThat(r).extracting(CorpusRecord::text).containsExactly("one", "two");
  }

  @Test
  void plainTextLinesWithStableIds() throws Exception {
    for (String name : new String[] {"t.txt", "t.txt.gz"}) {
      Path p = write(name, u("\uFEFFfirst line"), u(""), BAD_UTF8, u("fourth\r"));
      List<CorpusRecord> r = readAll(CorpusReader.defaults(), CorpusFile.of(p, "a/" + name));
      String prefix = StableIds.filePrefix("a/" + name);
      assertThat(r).hasSize(4);
      assertThat(r.get(0))
          .isEqualTo(CorpusRecord.ok(prefix + "-1", "first line", "a/" + name + ":1"));
      assertReject(r.get(1), RejectReason.EMPTY_TEXT, "a/" + name + ":2", "empty text");
      assertReject(r.get(2), RejectReason.UNREADABLE_TEXT, "a/" + name + ":3", "invalid UTF-8");
      assertThat(r.get(2).id()).isEqualTo(prefix + "-3");
      assertThat(r.get(3).text()).isEqualTo("fourth");
    }
  }

  @Test
  void stableIdIsTheDocumentedHash() {
    // python3 -c "import hashlib; print(hashlib.sha256(b'captions/part-1.txt').hexdigest()[:16])"
    assertThat(StableIds.lineId("captions/part-1.txt", 7)).isEqualTo("2e92f251259ecc9e-7");
    assertThat(StableIds.filePrefix("")).isEqualTo("e3b0c44298fc1c14");
  }

  @Test
  void lastLineWithoutNewlineCountsAndFinalNewlineAddsNothing() throws Exception {
    Path p = dir.resolve("n.txt");
    Files.writeString(p, "a\nb");
    assertThat(readAll(CorpusReader.defaults(), CorpusFile.of(p, "n.txt"))).hasSize(2);
    Files.writeString(p, "a\nb\n");
    assertThat(readAll(CorpusReader.defaults(), CorpusFile.of(p, "n.txt"))).hasSize(2);
    Files.writeString(p, "");
    assertThat(readAll(CorpusReader.defaults(), CorpusFile.of(p, "n.txt"))).isEmpty();
  }

  @Test
  void truncatedGzipFailsNamingTheFile() throws Exception {
    Path p = write("c.jsonl.gz", u("{\"id\": \"a\", \"text\": \"" + "x".repeat(5000) + "\"}"));
    byte[] all = Files.readAllBytes(p);
    Files.write(p, java.util.Arrays.copyOf(all, all.length / 2));
    assertThatThrownBy(() -> readAll(CorpusReader.defaults(), CorpusFile.of(p, "c.jsonl.gz")))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("c.jsonl.gz");
  }

  static final MessageType SCHEMA =
      MessageTypeParser.parseMessageType(
          "message corpus { optional binary id (STRING); optional binary text (STRING);"
              + " optional int32 n; }");

  private Path parquet(String name, Object[][] rows) throws IOException {
    Path p = dir.resolve(name);
    SimpleGroupFactory f = new SimpleGroupFactory(SCHEMA);
    try (ParquetWriter<Group> w =
        ExampleParquetWriter.builder(new LocalOutputFile(p)).withType(SCHEMA).build()) {
      for (Object[] row : rows) {
        Group g = f.newGroup();
        if (row[0] != null) {
          g.add("id", (String) row[0]);
        }
        if (row[1] instanceof String s) {
          g.add("text", s);
        } else if (row[1] instanceof byte[] b) {
          g.add("text", Binary.fromConstantByteArray(b));
        }
        g.add("n", 1);
        w.write(g);
      }
    }
    return p;
  }

  @Test
  void parquetStringColumns() throws Exception {
    Path p =
        parquet(
            "c.parquet",
            new Object[][] {
              {"a", "A dog."}, {null, "no id"}, {"c", null}, {"d", ""}, {"e", BAD_UTF8}, {"f", "ok"}
            });
    List<CorpusRecord> r = readAll(CorpusReader.defaults(), CorpusFile.of(p, "c.parquet"));
    assertThat(r).hasSize(6);
    assertThat(r.get(0)).isEqualTo(CorpusRecord.ok("a", "A dog.", "c.parquet:1"));
    assertReject(r.get(1), RejectReason.NULL_ID, "c.parquet:2", "id column 'id'");
    assertReject(r.get(2), RejectReason.EMPTY_TEXT, "c.parquet:3", "is null");
    assertReject(r.get(3), RejectReason.EMPTY_TEXT, "c.parquet:4", "empty text");
    assertReject(r.get(4), RejectReason.UNREADABLE_TEXT, "c.parquet:5", "invalid UTF-8");
    assertThat(r.get(5)).isEqualTo(CorpusRecord.ok("f", "ok", "c.parquet:6"));

    // Gzip-wrapped Parquet reads the same.
    Path gz = dir.resolve("c.parquet.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
      Files.copy(p, out);
    }
    assertThat(readAll(CorpusReader.defaults(), CorpusFile.of(gz, "c.parquet"))).isEqualTo(r);
  }

  @Test
  void parquetWithoutTheColumnOrWithTheWrongTypeFailsNamingFileAndColumn() throws Exception {
    Path p = parquet("c.parquet", new Object[][] {{"a", "x"}});
    assertThatThrownBy(
            () -> readAll(new CorpusReader("id", "caption"), CorpusFile.of(p, "c.parquet")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Parquet file c.parquet has no text column 'caption' (expected a string"
                + " column; its columns: [id, text, n])");
    assertThatThrownBy(() -> readAll(new CorpusReader("id", "n"), CorpusFile.of(p, "c.parquet")))
        .hasMessageStartingWith("Parquet file c.parquet: column 'n' is optional int32 n");
    // int32 works as an id.
    assertThat(readAll(new CorpusReader("n", "text"), CorpusFile.of(p, "c.parquet")).get(0).id())
        .isEqualTo("1");
  }

  private static void assertReject(
      CorpusRecord r, RejectReason reason, String location, String detailPart) {
    assertThat(r.isRejected()).isTrue();
    assertThat(r.reject()).isEqualTo(reason);
    assertThat(r.location()).isEqualTo(location);
    assertThat(r.detail()).contains(detailPart);
    assertThat(r.text()).isNull();
  }
}
