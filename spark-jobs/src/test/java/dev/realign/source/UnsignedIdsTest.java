package dev.realign.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unsigned integer ids (pyarrow's uint32 and uint64: INT32 / INT64 annotated INTEGER(bits, false))
 * print unsigned, as the source holds them: 2^63 as 9223372036854775808, not a negative number.
 */
class UnsignedIdsTest {
  private static final Configuration CONF = new Configuration();

  @TempDir Path dir;

  private Path write(String type, long... ids) throws Exception {
    Path file = dir.resolve(type.replaceAll("[^a-z0-9]", "") + ".parquet");
    MessageType schema =
        MessageTypeParser.parseMessageType(
            "message m { required "
                + type.replace(" ", " id ")
                + (type.contains(" ") ? "" : " id")
                + "; optional group embedding (LIST) {"
                + " repeated group list { optional float element; } } }");
    try (ParquetWriter<Group> w =
        ExampleParquetWriter.builder(new org.apache.hadoop.fs.Path(file.toUri()))
            .withType(schema)
            .withConf(CONF)
            .build()) {
      SimpleGroupFactory f = new SimpleGroupFactory(schema);
      for (long id : ids) {
        Group g = f.newGroup();
        if (type.startsWith("int32")) {
          g.append("id", (int) id);
        } else {
          g.append("id", id);
        }
        Group list = g.addGroup("embedding");
        list.addGroup("list").append("element", 1f);
        list.addGroup("list").append("element", 2f);
        w.write(g);
      }
    }
    return file;
  }

  private static List<Object> ids(Path file) {
    return ThirdPartyInputsTest.read(ThirdPartyInputsTest.plan(file, EmbeddingFormat.PARQUET))
        .stream()
        .map(r -> r[0])
        .toList();
  }

  @Test
  void uint64IdsPrintUnsigned() throws Exception {
    Path file = write("int64 (INTEGER(64,false))", 1L << 63, -1L, 7L);
    assertThat(ids(file)).containsExactly("9223372036854775808", "18446744073709551615", "7");
  }

  @Test
  void uint32IdsPrintUnsigned() throws Exception {
    Path file = write("int32 (INTEGER(32,false))", 1L << 31, 0xffff_ffffL, 7L);
    assertThat(ids(file)).containsExactly("2147483648", "4294967295", "7");
  }

  @Test
  void signedIdsStaySigned() throws Exception {
    assertThat(ids(write("int64", -5L, 7L))).containsExactly("-5", "7");
    assertThat(ids(write("int32", -5L, 7L))).containsExactly("-5", "7");
  }

  @Test
  void dictionaryEncodedUnsignedIdsPrintUnsignedToo() throws Exception {
    long[] ids = new long[50];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = (1L << 63) + (i % 5); // repeats: parquet-mr keeps a dictionary page
    }
    List<Object> read = ids(write("int64 (INTEGER(64,false))", ids));
    assertThat(read).hasSize(50);
    assertThat(read.get(3)).isEqualTo("9223372036854775811");
  }
}
