package dev.realign.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.format.DataPageHeader;
import org.apache.parquet.format.DataPageHeaderV2;
import org.apache.parquet.format.DictionaryPageHeader;
import org.apache.parquet.format.Encoding;
import org.apache.parquet.format.IndexPageHeader;
import org.apache.parquet.format.PageHeader;
import org.apache.parquet.format.PageType;
import org.apache.parquet.format.Statistics;
import org.apache.parquet.format.Util;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.io.SeekableInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import shaded.parquet.org.apache.thrift.TException;
import shaded.parquet.org.apache.thrift.protocol.TCompactProtocol;
import shaded.parquet.org.apache.thrift.protocol.TField;
import shaded.parquet.org.apache.thrift.protocol.TList;
import shaded.parquet.org.apache.thrift.protocol.TMap;
import shaded.parquet.org.apache.thrift.protocol.TSet;
import shaded.parquet.org.apache.thrift.protocol.TStruct;
import shaded.parquet.org.apache.thrift.transport.TIOStreamTransport;

/**
 * The hand-written page header reader against parquet-format's Thrift classes: random headers
 * written by Thrift read to the same fields (with and without statistics, CRCs, every page type),
 * fields of later format versions of every Thrift type are skipped as Thrift skips them, and
 * damaged or hostile headers (truncated anywhere, overlong varints, huge lengths, deep nesting,
 * unknown types, missing required fields) fail as corrupt pages without allocating what they claim.
 * Headers are read through {@link LocalParquetFile}'s channel stream, as in a real read.
 */
class PageHeaderFieldsTest {
  private static final int RANDOM_HEADERS = 500;

  /** Thrift's compact protocol type ids of {@code TType} (the shaded jar omits the class). */
  private static final byte T_BOOL = 2;

  private static final byte T_BYTE = 3;
  private static final byte T_DOUBLE = 4;
  private static final byte T_I16 = 6;
  private static final byte T_I32 = 8;
  private static final byte T_I64 = 10;
  private static final byte T_STRING = 11;
  private static final byte T_STRUCT = 12;
  private static final byte T_MAP = 13;
  private static final byte T_SET = 14;
  private static final byte T_LIST = 15;
  private static final byte T_UUID = 16;

  /** A byte after each header: the reader must stop just before it. */
  private static final int SENTINEL = 0x5a;

  @TempDir Path dir;

  @Test
  void randomHeadersReadAsThriftReadsThem() throws Exception {
    SplittableRandom rnd = new SplittableRandom(2607);
    for (int i = 0; i < RANDOM_HEADERS; i++) {
      PageHeader h = randomHeader(rnd);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      Util.writePageHeader(h, out);
      byte[] bytes = out.toByteArray();
      PageHeaderFields ours = read(bytes);
      if (h.getCompressed_page_size() < 0) {
        // parquet-format's reader refuses it; PageStream refuses it after reading the header
        assertThatThrownBy(() -> Util.readPageHeader(new ByteArrayInputStream(bytes)))
            .hasMessageContaining("must not be negative");
        assertThat(ours.compressedSize).isEqualTo(h.getCompressed_page_size());
        continue;
      }
      assertSameFields(Util.readPageHeader(new ByteArrayInputStream(bytes)), ours, "" + i);
    }
  }

  @Test
  void fieldsOfLaterFormatVersionsAreSkippedAsThriftSkipsThem() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    TCompactProtocol p = new TCompactProtocol(new TIOStreamTransport(out));
    p.writeStructBegin(new TStruct("PageHeader"));
    i32Field(p, 1, PageType.DATA_PAGE.getValue());
    i32Field(p, 2, 4096);
    i32Field(p, 3, 4096);
    unknownFields(p, 0); // ids 9.. then back to lower ids: deltas and long-form ids both
    p.writeFieldBegin(new TField("data_page_header", T_STRUCT, (short) 5));
    p.writeStructBegin(new TStruct("DataPageHeader"));
    i32Field(p, 1, 1000);
    i32Field(p, 2, Encoding.PLAIN.getValue());
    unknownFields(p, 0);
    i32Field(p, 3, Encoding.RLE.getValue());
    i32Field(p, 4, Encoding.RLE.getValue());
    p.writeFieldStop();
    p.writeStructEnd();
    i32Field(p, 4, 0x1234abcd); // the CRC, after the struct: a delta from 5 backwards (long form)
    p.writeFieldBegin(new TField("future", T_STRUCT, (short) 300));
    p.writeStructBegin(new TStruct("Future"));
    unknownFields(p, 0);
    p.writeFieldStop();
    p.writeStructEnd();
    p.writeFieldStop();
    p.writeStructEnd();
    byte[] bytes = out.toByteArray();
    PageHeader thrift = Util.readPageHeader(new ByteArrayInputStream(bytes));
    PageHeaderFields ours = read(bytes);
    assertSameFields(thrift, ours, "later fields");
    assertThat(ours.numValues).isEqualTo(1000);
    assertThat(ours.crc).isEqualTo(0x1234abcd);
  }

  @Test
  void aFieldOfAnotherTypeThanItsIdsIsSkippedAsThriftSkipsIt() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    TCompactProtocol p = new TCompactProtocol(new TIOStreamTransport(out));
    p.writeStructBegin(new TStruct("PageHeader"));
    i32Field(p, 1, PageType.INDEX_PAGE.getValue());
    i32Field(p, 2, 10);
    p.writeFieldBegin(new TField("crc", T_STRING, (short) 4)); // not an i32: not the CRC
    p.writeBinary(ByteBuffer.wrap(new byte[] {1, 2, 3}));
    i32Field(p, 3, 10);
    p.writeFieldBegin(new TField("data_page_header", T_I64, (short) 5)); // not a struct
    p.writeI64(-7);
    p.writeFieldStop();
    byte[] bytes = out.toByteArray();
    PageHeaderFields ours = read(bytes);
    assertSameFields(Util.readPageHeader(new ByteArrayInputStream(bytes)), ours, "other types");
    assertThat(ours.hasCrc).isFalse();
  }

  @Test
  void aHeaderCutAnywhereFailsAsCorrupt() throws Exception {
    PageHeader h = new PageHeader(PageType.DATA_PAGE, 1 << 20, 1 << 20);
    h.setCrc(-1);
    h.setData_page_header(
        new DataPageHeader(262_144, Encoding.PLAIN, Encoding.RLE, Encoding.RLE)
            .setStatistics(
                new Statistics().setMin_value(new byte[300]).setMax_value(new byte[] {1})));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Util.writePageHeader(h, out);
    byte[] whole = out.toByteArray();
    for (int n = 0; n < whole.length; n++) {
      byte[] cut = Arrays.copyOf(whole, n);
      for (boolean hadoop : new boolean[] {false, true}) {
        assertThatThrownBy(() -> readUnterminated(cut, hadoop))
            .as("cut after %d of %d bytes (Hadoop's stream: %s)", n, whole.length, hadoop)
            .isInstanceOf(CorruptPageException.class)
            .hasMessage("its page header does not parse (the file ends inside it)");
      }
    }
  }

  @Test
  void damagedAndHostileHeadersFailWithTheirReason() throws Exception {
    byte[] type = {0x15, 0}; // field 1 (delta 1), i32: DATA_PAGE (zigzag 0)
    byte[] sizes = {0x15, 0x02, 0x15, 0x02}; // after field 1: fields 2 and 3, i32: 1
    byte[] stop = {0};
    // an i32 of 6 bytes
    assertCorrupt(
        "a varint longer than 5 bytes",
        new byte[] {0x15},
        repeat((byte) 0x80, 5),
        new byte[] {0x01});
    // an unknown field (id 9) of i64 with an 11-byte varint
    assertCorrupt(
        "a varint longer than 10 bytes", type, sizes, new byte[] {0x66}, repeat((byte) 0xff, 11));
    // binary lengths: past the header limit, and past the int range
    assertCorrupt("longer than 16777216 bytes", type, sizes, new byte[] {0x68}, varint(1L << 30));
    assertCorrupt(
        "a length of 34359738367", type, sizes, new byte[] {0x68}, varint((1L << 35) - 1));
    // a list claiming 2^31-1 booleans, in a file that has 3: the reader stops at the file's end
    assertCorrupt(
        "the file ends inside it",
        type,
        sizes,
        new byte[] {0x69, (byte) 0xf1},
        varint(Integer.MAX_VALUE),
        new byte[] {1, 1, 1});
    // structs nested 70 deep in an unknown field: field delta 1, struct, again and again
    assertCorrupt("nested deeper than 64", type, sizes, new byte[] {0x6c}, repeat((byte) 0x1c, 70));
    // and lists of one list, 70 deep
    assertCorrupt("nested deeper than 64", type, sizes, new byte[] {0x69}, repeat((byte) 0x19, 70));
    // compact types that do not exist
    assertCorrupt("unknown field type 14", type, sizes, new byte[] {0x6e}, stop);
    assertCorrupt("unknown field type 15", new byte[] {(byte) 0xff}, stop);
    // required fields missing
    assertCorrupt("required field 'type' is missing", new byte[] {0x25, 0x02, 0x15, 0x02}, stop);
    assertCorrupt(
        "required field 'uncompressed_page_size' is missing", type, new byte[] {0x25, 0x02}, stop);
    assertCorrupt(
        "required field 'data_page_header.definition_level_encoding' is missing",
        type,
        sizes,
        new byte[] {0x2c, 0x15, 0x02, 0x15, 0x00},
        stop,
        stop);
    // a page type this reader does not know
    assertCorrupt("page type 9 (this reader knows 0 to 3)", new byte[] {0x15, 18}, sizes, stop);
  }

  @Test
  void fieldIdsWrapAt16BitsAsThriftsDo() throws Exception {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(new byte[] {0x15, 0x02, 0x15, 0x14, 0x15, 0x14}); // INDEX_PAGE, sizes 10 and 10
    b.writeBytes(new byte[] {0x05, (byte) 0xfe, (byte) 0xff, 0x03, 0x00}); // id 32767 (long), i32
    for (int i = 0; i < 2184; i++) {
      b.write(0xf1); // delta 15, boolean true: ids 32782, ... past 32767, wrapping to -9
    }
    b.writeBytes(new byte[] {(byte) 0xc5, (byte) 0xc6, 0x01, 0x00}); // delta 12: id 3 = 99; stop
    byte[] bytes = b.toByteArray();
    PageHeader thrift = Util.readPageHeader(new ByteArrayInputStream(bytes));
    assertThat(thrift.getCompressed_page_size()).isEqualTo(99);
    assertSameFields(thrift, read(bytes), "wrapped ids");
  }

  @Test
  void aSecondTypeHeaderReplacesTheFirstAndMustBeWholeToo() throws Exception {
    byte[] complete = {
      0x15, 0x04, 0x15, 0x00, 0x15, 0x06, 0x15, 0x06, 0x00
    }; // 2 values, PLAIN, RLE
    byte[] head = {0x15, 0x00, 0x15, 0x02, 0x15, 0x02, 0x2c}; // DATA_PAGE, sizes, field 5
    byte[] again = {0x0c, 0x0a}; // field 5 again (long form: struct, zigzag 5)
    byte[] twice = cat(head, complete, again, new byte[] {0x15, 0x08, 0x15, 0x10, 0x15, 0x06});
    byte[] whole = cat(twice, new byte[] {0x15, 0x06, 0x00, 0x00}); // 4 values, DELTA_BINARY_PACKED
    PageHeader thrift = Util.readPageHeader(new ByteArrayInputStream(whole));
    assertThat(thrift.getData_page_header().getNum_values()).isEqualTo(4);
    assertSameFields(thrift, read(whole), "second data page header");
    byte[] partial = cat(twice, new byte[] {0x00, 0x00}); // the second lacks its last field
    assertThatThrownBy(() -> Util.readPageHeader(new ByteArrayInputStream(partial)))
        .hasMessageContaining("repetition_level_encoding");
    assertCorrupt(
        "required field 'data_page_header.repetition_level_encoding' is missing", partial);
  }

  @Test
  void encodingsTheFormatDoesNotHaveAreRefusedAsThriftRefusesThem() throws Exception {
    byte[] head = {0x15, 0x04, 0x15, 0x02, 0x15, 0x02}; // DICTIONARY_PAGE, sizes 1 and 1
    // the dictionary header, and a V1 header the page does not use: Thrift refuses both
    for (int bad : new int[] {1, 10, -1, Integer.MAX_VALUE}) {
      byte[] zigzag = varint(((long) bad << 1 ^ bad >> 31) & 0xffffffffL);
      byte[] dict = cat(head, new byte[] {0x4c, 0x15, 0x02, 0x15}, zigzag, new byte[] {0x00, 0x00});
      assertThatThrownBy(() -> Util.readPageHeader(new ByteArrayInputStream(dict)));
      assertCorrupt(
          "dictionary_page_header.encoding " + bad + " is not one of Parquet's encodings", dict);
      byte[] unusedV1 =
          cat(
              head,
              new byte[] {0x2c, 0x15, 0x02, 0x15},
              zigzag,
              new byte[] {0x15, 0x06, 0x15, 0x06, 0x00, 0x2c, 0x15, 0x02, 0x15, 0x00, 0x00, 0x00});
      assertThatThrownBy(() -> Util.readPageHeader(new ByteArrayInputStream(unusedV1)));
      assertCorrupt(
          "data_page_header.encoding " + bad + " is not one of Parquet's encodings", unusedV1);
    }
    for (int good : new int[] {0, 2, 3, 4, 5, 6, 7, 8, 9}) {
      byte[] dict = cat(head, new byte[] {0x4c, 0x15, 0x02, 0x15, (byte) (good << 1), 0x00, 0x00});
      assertThat(read(dict).encoding).isEqualTo(good);
    }
  }

  @Test
  void nestingOf64IsReadAnd65IsNot() throws Exception {
    byte[] index = {0x15, 0x02, 0x15, 0x02, 0x15, 0x02}; // INDEX_PAGE, sizes 1 and 1
    for (int depth : new int[] {64, 65}) {
      byte[] bytes =
          cat(
              index,
              new byte[] {0x6c}, // field 9: a struct, holding a struct field, and so on
              repeat((byte) 0x1c, depth - 1),
              repeat((byte) 0, depth + 1)); // each struct's stop, then the header's
      if (depth == 64) {
        assertSameFields(Util.readPageHeader(new ByteArrayInputStream(bytes)), read(bytes), "64");
      } else {
        assertCorrupt("nested deeper than 64", bytes);
      }
    }
  }

  @Test
  void aDataPageWithoutItsTypesHeaderIsMarkedSo() throws Exception {
    PageHeader h = new PageHeader(PageType.DATA_PAGE_V2, 8, 8);
    h.setDictionary_page_header(new DictionaryPageHeader(2, Encoding.PLAIN));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Util.writePageHeader(h, out);
    PageHeaderFields ours = read(out.toByteArray());
    assertThat(ours.hasTypeHeader).isFalse();
    assertThat(PageHeaderFields.typeName(ours.type)).isEqualTo("DATA_PAGE_V2");
  }

  private void assertCorrupt(String reason, byte[]... parts) {
    byte[] bytes = cat(parts);
    assertThatThrownBy(() -> readUnterminated(bytes))
        .as(reason)
        .isInstanceOf(CorruptPageException.class)
        .hasMessage("its page header does not parse (" + reason + ")");
  }

  private static void assertSameFields(PageHeader t, PageHeaderFields o, String what) {
    assertThat(o.type).as(what).isEqualTo(t.getType().getValue());
    assertThat(o.uncompressedSize).as(what).isEqualTo(t.getUncompressed_page_size());
    assertThat(o.compressedSize).as(what).isEqualTo(t.getCompressed_page_size());
    assertThat(o.hasCrc).as(what).isEqualTo(t.isSetCrc());
    if (t.isSetCrc()) {
      assertThat(o.crc).as(what).isEqualTo(t.getCrc());
    }
    switch (t.getType()) {
      case DATA_PAGE -> {
        assertThat(o.hasTypeHeader).as(what).isEqualTo(t.isSetData_page_header());
        if (t.isSetData_page_header()) {
          DataPageHeader v1 = t.getData_page_header();
          assertThat(o.numValues).as(what).isEqualTo(v1.getNum_values());
          assertThat(o.encoding).as(what).isEqualTo(v1.getEncoding().getValue());
          assertThat(o.definitionLevelEncoding)
              .as(what)
              .isEqualTo(v1.getDefinition_level_encoding().getValue());
          assertThat(o.repetitionLevelEncoding)
              .as(what)
              .isEqualTo(v1.getRepetition_level_encoding().getValue());
        }
      }
      case DATA_PAGE_V2 -> {
        assertThat(o.hasTypeHeader).as(what).isEqualTo(t.isSetData_page_header_v2());
        if (t.isSetData_page_header_v2()) {
          DataPageHeaderV2 v2 = t.getData_page_header_v2();
          assertThat(o.numValues).as(what).isEqualTo(v2.getNum_values());
          assertThat(o.numNulls).as(what).isEqualTo(v2.getNum_nulls());
          assertThat(o.numRows).as(what).isEqualTo(v2.getNum_rows());
          assertThat(o.encoding).as(what).isEqualTo(v2.getEncoding().getValue());
          assertThat(o.definitionLevelsBytes)
              .as(what)
              .isEqualTo(v2.getDefinition_levels_byte_length());
          assertThat(o.repetitionLevelsBytes)
              .as(what)
              .isEqualTo(v2.getRepetition_levels_byte_length());
          assertThat(o.isCompressed).as(what).isEqualTo(v2.isIs_compressed());
        }
      }
      case DICTIONARY_PAGE -> {
        assertThat(o.hasTypeHeader).as(what).isEqualTo(t.isSetDictionary_page_header());
        if (t.isSetDictionary_page_header()) {
          assertThat(o.numValues).as(what).isEqualTo(t.getDictionary_page_header().getNum_values());
          assertThat(o.encoding)
              .as(what)
              .isEqualTo(t.getDictionary_page_header().getEncoding().getValue());
        }
      }
      default -> assertThat(o.hasTypeHeader).as(what).isTrue();
    }
  }

  private static PageHeader randomHeader(SplittableRandom rnd) {
    PageType[] types = PageType.values();
    PageHeader h = new PageHeader(types[rnd.nextInt(types.length)], anyInt(rnd), anyInt(rnd));
    if (rnd.nextBoolean()) {
      h.setCrc(rnd.nextInt());
    }
    boolean extra = rnd.nextInt(4) == 0; // now and then the header of another page type too
    if (h.getType() == PageType.DATA_PAGE || extra && rnd.nextBoolean()) {
      DataPageHeader v1 =
          new DataPageHeader(anyInt(rnd), encoding(rnd), encoding(rnd), encoding(rnd));
      if (rnd.nextBoolean()) {
        v1.setStatistics(statistics(rnd));
      }
      h.setData_page_header(v1);
    }
    if (h.getType() == PageType.DATA_PAGE_V2 || extra && rnd.nextBoolean()) {
      DataPageHeaderV2 v2 =
          new DataPageHeaderV2(
              anyInt(rnd), anyInt(rnd), anyInt(rnd), encoding(rnd), anyInt(rnd), anyInt(rnd));
      if (rnd.nextBoolean()) {
        v2.setIs_compressed(rnd.nextBoolean());
      }
      if (rnd.nextBoolean()) {
        v2.setStatistics(statistics(rnd));
      }
      h.setData_page_header_v2(v2);
    }
    if (h.getType() == PageType.DICTIONARY_PAGE || extra && rnd.nextBoolean()) {
      DictionaryPageHeader d = new DictionaryPageHeader(anyInt(rnd), encoding(rnd));
      if (rnd.nextBoolean()) {
        d.setIs_sorted(rnd.nextBoolean());
      }
      h.setDictionary_page_header(d);
    }
    if (h.getType() == PageType.INDEX_PAGE || extra && rnd.nextBoolean()) {
      h.setIndex_page_header(new IndexPageHeader());
    }
    return h;
  }

  private static Statistics statistics(SplittableRandom rnd) {
    Statistics s = new Statistics();
    if (rnd.nextBoolean()) {
      s.setMin_value(bytes(rnd)).setMax_value(bytes(rnd));
    }
    if (rnd.nextBoolean()) {
      s.setMin(bytes(rnd)).setMax(bytes(rnd));
    }
    if (rnd.nextBoolean()) {
      s.setNull_count(rnd.nextLong());
    }
    if (rnd.nextBoolean()) {
      s.setDistinct_count(rnd.nextLong());
    }
    if (rnd.nextBoolean()) {
      s.setIs_max_value_exact(rnd.nextBoolean()).setIs_min_value_exact(rnd.nextBoolean());
    }
    return s;
  }

  private static byte[] bytes(SplittableRandom rnd) {
    byte[] b = new byte[rnd.nextInt(4) == 0 ? rnd.nextInt(5000) : rnd.nextInt(16)];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) rnd.nextInt();
    }
    return b;
  }

  /** An int of any size: small, large, negative, or an extreme. */
  private static int anyInt(SplittableRandom rnd) {
    return switch (rnd.nextInt(5)) {
      case 0 -> rnd.nextInt(100);
      case 1 -> rnd.nextInt(1 << 24);
      case 2 -> rnd.nextInt();
      case 3 -> -rnd.nextInt(1000);
      default -> rnd.nextBoolean() ? Integer.MAX_VALUE : Integer.MIN_VALUE;
    };
  }

  private static Encoding encoding(SplittableRandom rnd) {
    Encoding[] all = Encoding.values();
    return all[rnd.nextInt(all.length)];
  }

  /**
   * Fields 9 to 24 of every Thrift type (booleans as fields and as elements, nested containers and
   * structs), then field 3 again by its long form id, as a later format version might write them.
   */
  private static void unknownFields(TCompactProtocol p, int depth) throws TException {
    p.writeFieldBegin(new TField("b", T_BOOL, (short) 9));
    p.writeBool(true);
    p.writeFieldBegin(new TField("b2", T_BOOL, (short) 10));
    p.writeBool(false);
    p.writeFieldBegin(new TField("i8", T_BYTE, (short) 11));
    p.writeByte((byte) -3);
    p.writeFieldBegin(new TField("i16", T_I16, (short) 12));
    p.writeI16(Short.MIN_VALUE);
    p.writeFieldBegin(new TField("i64", T_I64, (short) 13));
    p.writeI64(Long.MIN_VALUE);
    p.writeFieldBegin(new TField("d", T_DOUBLE, (short) 14));
    p.writeDouble(Math.PI);
    p.writeFieldBegin(new TField("s", T_STRING, (short) 15));
    p.writeString("a later field");
    p.writeFieldBegin(new TField("l", T_LIST, (short) 16));
    // 21 elements: the size past the header nibble, and an odd count (a byte a boolean)
    p.writeListBegin(new TList(T_BOOL, 21));
    for (int i = 0; i < 21; i++) {
      p.writeBool(i % 3 == 0);
    }
    p.writeListEnd();
    p.writeFieldBegin(new TField("m", T_MAP, (short) 17));
    p.writeMapBegin(new TMap(T_STRING, T_LIST, 2));
    for (int i = 0; i < 2; i++) {
      p.writeString("k" + i);
      p.writeListBegin(new TList(T_I64, 2));
      p.writeI64(i);
      p.writeI64(-i);
      p.writeListEnd();
    }
    p.writeMapEnd();
    p.writeFieldBegin(new TField("empty", T_MAP, (short) 18));
    p.writeMapBegin(new TMap(T_I32, T_I32, 0));
    p.writeMapEnd();
    p.writeFieldBegin(new TField("set", T_SET, (short) 19));
    p.writeSetBegin(new TSet(T_STRUCT, depth < 2 ? 1 : 0));
    if (depth < 2) {
      p.writeStructBegin(new TStruct("Nested"));
      unknownFields(p, depth + 1);
      p.writeFieldStop();
      p.writeStructEnd();
    }
    p.writeSetEnd();
    p.writeFieldBegin(new TField("mb", T_MAP, (short) 21)); // booleans as keys and values
    p.writeMapBegin(new TMap(T_BOOL, T_BOOL, 3));
    for (int i = 0; i < 3; i++) {
      p.writeBool(i == 1);
      p.writeBool(i != 1);
    }
    p.writeMapEnd();
    p.writeFieldBegin(new TField("ld", T_LIST, (short) 22));
    p.writeListBegin(new TList(T_DOUBLE, 2));
    p.writeDouble(1.5);
    p.writeDouble(-2.5);
    p.writeListEnd();
    // (no container of UUIDs: this Thrift's own reader refuses them, "unrecognized type code")
    p.writeFieldBegin(new TField("sd", T_SET, (short) 23));
    p.writeSetBegin(new TSet(T_DOUBLE, 1));
    p.writeDouble(0.25);
    p.writeSetEnd();
    p.writeFieldBegin(new TField("ls", T_LIST, (short) 24));
    p.writeListBegin(new TList(T_I16, 3));
    p.writeI16((short) 1);
    p.writeI16(Short.MAX_VALUE);
    p.writeI16(Short.MIN_VALUE);
    p.writeListEnd();
    p.writeFieldBegin(new TField("u", T_UUID, (short) 20)); // an id below the last: long form
    p.writeUuid(new java.util.UUID(0x0123456789abcdefL, -1L));
    p.writeFieldBegin(new TField("back", T_DOUBLE, (short) 1000)); // a long-form id
    p.writeDouble(-0.0);
  }

  private static void i32Field(TCompactProtocol p, int id, int v) throws TException {
    p.writeFieldBegin(new TField("f" + id, T_I32, (short) id));
    p.writeI32(v);
  }

  /** Reads {@code header} followed by a sentinel byte, and checks the reader stopped before it. */
  private PageHeaderFields read(byte[] header) throws IOException {
    Path file =
        Files.write(
            Files.createTempFile(dir, "header", ".bin"), cat(header, new byte[] {(byte) SENTINEL}));
    try (LocalParquetFile.ChannelStream in =
        new LocalParquetFile.ChannelStream(FileChannel.open(file, StandardOpenOption.READ))) {
      PageHeaderFields h = PageHeaderFields.read(in);
      assertThat(in.getPos()).isEqualTo(header.length);
      assertThat(in.read()).isEqualTo(SENTINEL);
      return h;
    }
  }

  /** Reads {@code bytes} as a page header, with nothing after them in the file. */
  private PageHeaderFields readUnterminated(byte[] bytes) throws IOException {
    return readUnterminated(bytes, false);
  }

  /**
   * Reads {@code bytes} as a page header, with nothing after them in the file: through the channel
   * stream of local files, or through Hadoop's stream (as files on S3 and HDFS are read), whose
   * seek past the end of the file fails at once.
   */
  private PageHeaderFields readUnterminated(byte[] bytes, boolean hadoop) throws IOException {
    Path file = Files.write(Files.createTempFile(dir, "header", ".bin"), bytes);
    try (SeekableInputStream in =
        hadoop
            ? HadoopInputFile.fromPath(
                    new org.apache.hadoop.fs.Path(file.toUri()), new Configuration())
                .newStream()
            : new LocalParquetFile.ChannelStream(FileChannel.open(file, StandardOpenOption.READ))) {
      return PageHeaderFields.read(in);
    }
  }

  private static byte[] cat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  private static byte[] repeat(byte b, int n) {
    byte[] out = new byte[n];
    Arrays.fill(out, b);
    return out;
  }

  private static byte[] varint(long v) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    while ((v & ~0x7fL) != 0) {
      out.write((int) (v & 0x7f) | 0x80);
      v >>>= 7;
    }
    out.write((int) v);
    return out.toByteArray();
  }
}
