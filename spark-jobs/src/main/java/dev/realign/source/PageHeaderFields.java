package dev.realign.source;

import java.io.EOFException;
import java.io.IOException;
import org.apache.parquet.io.SeekableInputStream;

/**
 * A Parquet page header as the reader uses it, read by hand from Thrift's compact protocol (the
 * {@code PageHeader} struct of {@code parquet.thrift}): the page's type and sizes, its CRC, and the
 * fields of its data, V2 data or dictionary page header. Everything else (statistics, index page
 * headers, fields of later format versions) is skipped unread, as a Thrift reader skips what it
 * does not know.
 *
 * <p>Why not parquet-format's generated classes: their reader goes a byte at a time through four
 * layers of calls (protocol, transport, stream), which the first pass of a run ran interpreted and
 * then compiled: in a 200k-row run, JFR showed C2 spending 0.08-0.12 s of the first stats pass on
 * Thrift's transport and protocol methods, on a 2-core machine where the compiler competes with the
 * tasks. This reads the same bytes with one small loop.
 *
 * <p>As strict as Thrift's generated reader (a missing required field, a page type or encoding
 * value the format does not have, an unknown field type, a header cut off by the end of the file),
 * and stricter with hostile bytes (a varint longer than its type allows, nesting deeper than {@link
 * #MAX_DEPTH}, a header longer than {@link #MAX_HEADER_BYTES}): each fails with {@link
 * CorruptPageException}. Nothing is allocated from a size read here: binary fields are skipped by
 * seeking, and every byte read or skipped counts against {@link #MAX_HEADER_BYTES}.
 */
final class PageHeaderFields {
  /** Page types ({@code PageType} in {@code parquet.thrift}). */
  static final int DATA_PAGE = 0;

  static final int INDEX_PAGE = 1;
  static final int DICTIONARY_PAGE = 2;
  static final int DATA_PAGE_V2 = 3;

  /**
   * The largest page header read, as Arrow C++'s reader (its default {@code max_page_header_size}):
   * writers' headers are tens of bytes, a few KB with binary statistics.
   */
  static final int MAX_HEADER_BYTES = 16 << 20;

  /** The deepest nesting of structs and containers skipped (Thrift's own skip limit). */
  static final int MAX_DEPTH = 64;

  /** The page type, one of the constants above or a later format's. */
  final int type;

  final int uncompressedSize;
  final int compressedSize;

  /** Whether the header has a CRC, and the CRC-32 of the page's stored bytes. */
  final boolean hasCrc;

  final int crc;

  /** Whether the header holds the header of its {@link #type} (data, V2 data, dictionary). */
  final boolean hasTypeHeader;

  /** Values of the page (data, V2 data and dictionary pages). */
  final int numValues;

  /** Encoding of the values (an {@code Encoding} value of {@code parquet.thrift}). */
  final int encoding;

  /** Of a data page (V1): the level encodings. */
  final int definitionLevelEncoding;

  final int repetitionLevelEncoding;

  /** Of a V2 data page. */
  final int numNulls;

  final int numRows;
  final int definitionLevelsBytes;
  final int repetitionLevelsBytes;

  /** Of a V2 data page: whether the values section is compressed (default true). */
  final boolean isCompressed;

  private PageHeaderFields(Parse p) {
    this.type = p.type;
    this.uncompressedSize = p.uncompressedSize;
    this.compressedSize = p.compressedSize;
    this.hasCrc = p.hasCrc;
    this.crc = p.crc;
    this.hasTypeHeader = p.hasTypeHeader;
    this.numValues = p.numValues;
    this.encoding = p.encoding;
    this.definitionLevelEncoding = p.definitionLevelEncoding;
    this.repetitionLevelEncoding = p.repetitionLevelEncoding;
    this.numNulls = p.numNulls;
    this.numRows = p.numRows;
    this.definitionLevelsBytes = p.definitionLevelsBytes;
    this.repetitionLevelsBytes = p.repetitionLevelsBytes;
    this.isCompressed = p.isCompressed;
  }

  /**
   * Reads one page header from {@code in}, leaving it at the page's first byte.
   *
   * @throws CorruptPageException where the bytes are not a page header ("its page header does not
   *     parse (why)")
   * @throws IOException where the stream fails
   */
  static PageHeaderFields read(SeekableInputStream in) throws IOException {
    Parse p = new Parse(in);
    p.pageHeader();
    return new PageHeaderFields(p);
  }

  /** The name of a page type, for messages. */
  static String typeName(int type) {
    return switch (type) {
      case DATA_PAGE -> "DATA_PAGE";
      case INDEX_PAGE -> "INDEX_PAGE";
      case DICTIONARY_PAGE -> "DICTIONARY_PAGE";
      case DATA_PAGE_V2 -> "DATA_PAGE_V2";
      default -> "page type " + type;
    };
  }

  /** The compact protocol's field and element types. */
  private static final int BOOL_TRUE = 1;

  private static final int BOOL_FALSE = 2;
  private static final int BYTE = 3;
  private static final int I16 = 4;
  private static final int I32 = 5;
  private static final int I64 = 6;
  private static final int DOUBLE = 7;
  private static final int BINARY = 8;
  private static final int LIST = 9;
  private static final int SET = 10;
  private static final int MAP = 11;
  private static final int STRUCT = 12;
  private static final int UUID = 13;

  /** The state of one parse: the stream, the bytes used so far, the fields found. */
  private static final class Parse {
    private final SeekableInputStream in;
    private long used;

    int type = -1;
    int uncompressedSize = -1;
    int compressedSize = -1;
    boolean hasCrc;
    int crc;
    boolean hasTypeHeader;
    int numValues = -1;
    int encoding = -1;
    int definitionLevelEncoding = -1;
    int repetitionLevelEncoding = -1;
    int numNulls = -1;
    int numRows = -1;
    int definitionLevelsBytes = -1;
    int repetitionLevelsBytes = -1;
    boolean isCompressed = true;

    /** The field header just read: its id and type. */
    private int fieldId;

    private int fieldType;

    Parse(SeekableInputStream in) {
      this.in = in;
    }

    void pageHeader() throws IOException {
      boolean sawType = false;
      boolean sawUncompressed = false;
      boolean sawCompressed = false;
      int last = 0;
      while (nextField(last)) {
        last = fieldId;
        switch (fieldId) {
          case 1, 2, 3, 4 -> {
            if (fieldType != I32) {
              skip(fieldType, 1, false); // a field of another type is not this one (as Thrift)
              continue;
            }
            int v = i32();
            switch (fieldId) {
              case 1 -> {
                type = v;
                sawType = true;
              }
              case 2 -> {
                uncompressedSize = v;
                sawUncompressed = true;
              }
              case 3 -> {
                compressedSize = v;
                sawCompressed = true;
              }
              default -> {
                crc = v;
                hasCrc = true;
              }
            }
          }
          case 5, 7, 8 -> {
            if (fieldType != STRUCT) {
              skip(fieldType, 1, false);
            } else if (fieldId == 5) {
              dataPageHeader();
            } else if (fieldId == 7) {
              dictionaryPageHeader();
            } else {
              dataPageHeaderV2();
            }
          }
          default -> skip(fieldType, 1, false); // 6: the (empty) index page header; later fields
        }
      }
      require(sawType, "type");
      require(sawUncompressed, "uncompressed_page_size");
      require(sawCompressed, "compressed_page_size");
      hasTypeHeader =
          switch (type) {
            case DATA_PAGE -> seenV1;
            case DATA_PAGE_V2 -> seenV2;
            case DICTIONARY_PAGE -> seenDictionary;
            case INDEX_PAGE -> true;
            default -> throw failure("page type " + type + " (this reader knows 0 to 3)");
          };
      if (type == DATA_PAGE && seenV1) {
        applyV1();
      } else if (type == DATA_PAGE_V2 && seenV2) {
        applyV2();
      } else if (type == DICTIONARY_PAGE && seenDictionary) {
        numValues = dictValues;
        encoding = dictEncoding;
      }
    }

    // Each type header is kept apart until the page type is known: a header may hold several.
    private boolean seenV1;
    private int v1Values;
    private int v1Encoding;
    private int v1Def;
    private int v1Rep;

    private void dataPageHeader() throws IOException {
      boolean[] seen = new boolean[5];
      int last = 0;
      while (nextField(last)) {
        last = fieldId;
        if (fieldId < 1 || fieldId > 4 || fieldType != I32) {
          skip(fieldType, 1, false); // 5: statistics
          continue;
        }
        int v = i32();
        seen[fieldId] = true;
        switch (fieldId) {
          case 1 -> v1Values = v;
          case 2 -> v1Encoding = encoding(v, "data_page_header.encoding");
          case 3 -> v1Def = encoding(v, "data_page_header.definition_level_encoding");
          default -> v1Rep = encoding(v, "data_page_header.repetition_level_encoding");
        }
      }
      require(seen[1], "data_page_header.num_values");
      require(seen[2], "data_page_header.encoding");
      require(seen[3], "data_page_header.definition_level_encoding");
      require(seen[4], "data_page_header.repetition_level_encoding");
      seenV1 = true;
    }

    private void applyV1() {
      numValues = v1Values;
      encoding = v1Encoding;
      definitionLevelEncoding = v1Def;
      repetitionLevelEncoding = v1Rep;
    }

    private boolean seenDictionary;
    private int dictValues;
    private int dictEncoding;

    private void dictionaryPageHeader() throws IOException {
      boolean sawValues = false;
      boolean sawEncoding = false;
      int last = 0;
      while (nextField(last)) {
        last = fieldId;
        if (fieldId == 1 && fieldType == I32) {
          dictValues = i32();
          sawValues = true;
        } else if (fieldId == 2 && fieldType == I32) {
          dictEncoding = encoding(i32(), "dictionary_page_header.encoding");
          sawEncoding = true;
        } else {
          skip(fieldType, 1, false); // 3: is_sorted
        }
      }
      require(sawValues, "dictionary_page_header.num_values");
      require(sawEncoding, "dictionary_page_header.encoding");
      seenDictionary = true;
    }

    private boolean seenV2;
    private final int[] v2 = new int[7];
    private boolean v2Compressed;

    private void dataPageHeaderV2() throws IOException {
      boolean[] seen = new boolean[7];
      boolean compressedFlag = true;
      int last = 0;
      while (nextField(last)) {
        last = fieldId;
        if (fieldId >= 1 && fieldId <= 6 && fieldType == I32) {
          v2[fieldId] = i32();
          if (fieldId == 4) {
            encoding(v2[4], "data_page_header_v2.encoding");
          }
          seen[fieldId] = true;
        } else if (fieldId == 7 && (fieldType == BOOL_TRUE || fieldType == BOOL_FALSE)) {
          compressedFlag = fieldType == BOOL_TRUE;
        } else {
          skip(fieldType, 1, false); // 8: statistics
        }
      }
      String[] names = {
        null,
        "num_values",
        "num_nulls",
        "num_rows",
        "encoding",
        "definition_levels_byte_length",
        "repetition_levels_byte_length"
      };
      for (int f = 1; f <= 6; f++) {
        require(seen[f], "data_page_header_v2." + names[f]);
      }
      v2Compressed = compressedFlag;
      seenV2 = true;
    }

    private void applyV2() {
      numValues = v2[1];
      numNulls = v2[2];
      numRows = v2[3];
      encoding = v2[4];
      definitionLevelsBytes = v2[5];
      repetitionLevelsBytes = v2[6];
      isCompressed = v2Compressed;
    }

    /**
     * Reads the next field header of a struct whose previous field id was {@code last}: false at
     * the struct's end, else sets {@link #fieldId} and {@link #fieldType}.
     */
    private boolean nextField(int last) throws IOException {
      int b = u8();
      int t = b & 0x0f;
      if (t == 0) {
        return false;
      }
      int delta = b >>> 4;
      // 16-bit ids, as Thrift computes them (a delta past 32767 wraps)
      fieldId = (short) (delta != 0 ? last + delta : zigzag((int) varint(3)));
      fieldType = t;
      return true;
    }

    /**
     * Skips a value of compact type {@code t} at nesting {@code depth}; {@code element}: inside a
     * list, set or map, where a boolean takes a byte (in a struct its value is in the field type).
     */
    private void skip(int t, int depth, boolean element) throws IOException {
      if (depth > MAX_DEPTH) {
        throw failure("nested deeper than " + MAX_DEPTH);
      }
      switch (t) {
        case BOOL_TRUE, BOOL_FALSE -> {
          if (element) {
            u8();
          }
        }
        case BYTE -> u8();
        case I16 -> varint(3);
        case I32 -> varint(5);
        case I64 -> varint(10);
        case DOUBLE -> skipBytes(8);
        case UUID -> skipBytes(16);
        case BINARY -> skipBytes(size());
        case LIST, SET -> {
          int b = u8();
          int n = b >>> 4;
          if (n == 15) {
            n = size();
          }
          for (int i = 0; i < n; i++) {
            skip(b & 0x0f, depth + 1, true); // each element takes a byte or more
          }
        }
        case MAP -> {
          int n = size();
          if (n > 0) {
            int kv = u8();
            for (int i = 0; i < n; i++) {
              skip(kv >>> 4, depth + 1, true);
              skip(kv & 0x0f, depth + 1, true);
            }
          }
        }
        case STRUCT -> {
          int last = 0;
          while (nextField(last)) {
            last = fieldId;
            skip(fieldType, depth + 1, false);
          }
        }
        default -> throw failure("unknown field type " + t);
      }
    }

    /** A zigzag i32, its bits past 32 dropped (as Thrift). */
    private int i32() throws IOException {
      return zigzag((int) varint(5));
    }

    /** A length or count: a non-negative varint. */
    private int size() throws IOException {
      long n = varint(5);
      if (n > Integer.MAX_VALUE) {
        throw failure("a length of " + n);
      }
      return (int) n;
    }

    /** An unsigned varint of at most {@code maxBytes} bytes (its bits past 64 dropped). */
    private long varint(int maxBytes) throws IOException {
      long v = 0;
      for (int i = 0; i < maxBytes; i++) {
        int b = u8();
        v |= (long) (b & 0x7f) << (7 * i);
        if ((b & 0x80) == 0) {
          return v;
        }
      }
      throw failure("a varint longer than " + maxBytes + " bytes");
    }

    private static int zigzag(int v) {
      return (v >>> 1) ^ -(v & 1);
    }

    private int u8() throws IOException {
      if (++used > MAX_HEADER_BYTES) {
        throw tooLong();
      }
      int b = in.read();
      if (b < 0) {
        throw failure("the file ends inside it");
      }
      return b;
    }

    private void skipBytes(int n) throws IOException {
      used += n;
      if (used > MAX_HEADER_BYTES) {
        throw tooLong();
      }
      try {
        in.seek(in.getPos() + n); // channels: a read past the end of the file fails the next byte
      } catch (EOFException e) {
        throw failure("the file ends inside it"); // Hadoop's streams refuse the seek itself
      }
    }

    /**
     * {@code v}, an {@code Encoding} of {@code parquet.thrift} (0, 2 to 9): Thrift's generated
     * reader refuses any other value in every header it reads, used by the page or not.
     */
    private static int encoding(int v, String field) {
      if (v != 0 && (v < 2 || v > 9)) {
        throw failure(field + " " + v + " is not one of Parquet's encodings");
      }
      return v;
    }

    private static void require(boolean present, String field) {
      if (!present) {
        throw failure("required field '" + field + "' is missing");
      }
    }

    private static CorruptPageException tooLong() {
      return failure("longer than " + MAX_HEADER_BYTES + " bytes");
    }

    private static CorruptPageException failure(String why) {
      return new CorruptPageException("its page header does not parse (" + why + ")");
    }
  }
}
