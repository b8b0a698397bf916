package dev.realign.source;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.realign.vector.RejectReason;
import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.zip.GZIPInputStream;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.MessageColumnIO;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/**
 * Reads one corpus file as a stream of {@link CorpusRecord}s: texts with ids, or row-level rejects
 * (which the caller writes to {@code rejected/} and counts). Input-level problems (an unreadable or
 * truncated file, a Parquet file without the text column) throw, naming the file.
 *
 * <ul>
 *   <li>JSONL: each line one JSON object; the text is the string field {@code textField}, the id
 *       the string or integer field {@code idField} (or, with {@code idField} null, a
 *       {@link StableIds stable id} from the file and line). Invalid JSON, a line that is not an
 *       object, or a non-string text is {@link RejectReason#UNREADABLE_TEXT}, with
 *       {@code file:line} as location.
 *   <li>TEXT: each line one text; id = {@link StableIds#lineId} of the relative path and the
 *       1-based line number.
 *   <li>PARQUET: top-level string columns {@code textField} and (optional, as above)
 *       {@code idField} (string, int32 or int64). Read with parquet-hadoop (Spark's).
 * </ul>
 *
 * Every format: bytes that are not valid UTF-8 give {@link RejectReason#UNREADABLE_TEXT} (decoded
 * with a REPORT decoder, never replaced); null, empty or whitespace-only texts give
 * {@link RejectReason#EMPTY_TEXT}; a null or empty id gives {@link RejectReason#NULL_ID}. A
 * {@code .gz} file is decompressed on the fly (Parquet: to a temporary file, as Parquet needs
 * random access). Not thread-safe; one reader per task.
 */
public final class CorpusReader {
  public static final String ID_FIELD_DEFAULT = "id";
  public static final String TEXT_FIELD_DEFAULT = "text";

  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private final String idField;
  private final String textField;

  /**
   * @param idField the id field/column, or null to generate {@link StableIds} (TEXT always does)
   * @param textField the text field/column
   */
  public CorpusReader(String idField, String textField) {
    if (textField == null || textField.isEmpty()) {
      throw new IllegalArgumentException("Invalid text field: \"" + textField
          + "\" (must be non-empty)");
    }
    if (idField != null && idField.isEmpty()) {
      throw new IllegalArgumentException("Invalid id field: \"\" (must be non-empty, or unset to"
          + " generate ids)");
    }
    this.idField = idField;
    this.textField = textField;
  }

  /** Fields {@code id} and {@code text}. */
  public static CorpusReader defaults() {
    return new CorpusReader(ID_FIELD_DEFAULT, TEXT_FIELD_DEFAULT);
  }

  /** Records of one file; close it to release the file. */
  public interface Records extends Iterator<CorpusRecord>, Closeable {
    @Override
    void close();
  }

  /** Opens a local file. */
  public Records open(CorpusFile file) {
    String rel = file.relativePath();
    try {
      if (file.format() == CorpusFormat.PARQUET) {
        if (!file.gzip()) {
          return openParquet(rel, new LocalInputFile(file.path()));
        }
        Path tmp = Files.createTempFile("realign-corpus-", ".parquet");
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file.path()), 1 << 16)) {
          Files.copy(in, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
          Files.deleteIfExists(tmp);
          throw e;
        }
        Records inner = openParquet(rel, new LocalInputFile(tmp));
        return new Records() {
          @Override
          public boolean hasNext() {
            return inner.hasNext();
          }

          @Override
          public CorpusRecord next() {
            return inner.next();
          }

          @Override
          public void close() {
            inner.close();
            try {
              Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
              // A temp file left behind is harmless.
            }
          }
        };
      }
      return open(rel, file.format(), file.gzip(), Files.newInputStream(file.path()));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read corpus file " + file.path() + ": "
          + e.getMessage(), e);
    }
  }

  /**
   * Opens a line format (JSONL or TEXT) from any stream, e.g. a Hadoop {@code FileSystem.open};
   * the stream is closed with the records.
   */
  public Records open(String relativePath, CorpusFormat format, boolean gzip, InputStream in)
      throws IOException {
    if (format == CorpusFormat.PARQUET) {
      in.close();
      throw new IllegalArgumentException("Parquet needs random access: use openParquet for "
          + relativePath);
    }
    InputStream raw = gzip ? new GZIPInputStream(in, 1 << 16) : new BufferedInputStream(in, 1 << 16);
    return new LineRecords(relativePath, format, new Utf8Lines(raw));
  }

  /** Opens a Parquet file, e.g. {@code HadoopInputFile.fromPath(path, conf)} on a cluster. */
  public Records openParquet(String relativePath, InputFile in) throws IOException {
    return new ParquetRecords(relativePath, in);
  }

  private static String location(String relativePath, long n) {
    return relativePath + ":" + n;
  }

  private CorpusRecord fromJson(String rel, long n, String line) {
    String loc = location(rel, n);
    if (line.isBlank()) {
      return CorpusRecord.rejected(null, loc, RejectReason.EMPTY_TEXT, "blank line at " + loc);
    }
    JsonNode node;
    try {
      node = JSON.readTree(line);
    } catch (JsonProcessingException e) {
      return CorpusRecord.rejected(null, loc, RejectReason.UNREADABLE_TEXT, "invalid JSON at "
          + loc + ": " + e.getOriginalMessage());
    }
    if (node == null || !node.isObject()) {
      return CorpusRecord.rejected(null, loc, RejectReason.UNREADABLE_TEXT, "not a JSON object at "
          + loc);
    }
    String id;
    if (idField == null) {
      id = StableIds.lineId(rel, n);
    } else {
      JsonNode idNode = node.get(idField);
      id = idNode == null || idNode.isNull() ? null
          : idNode.isTextual() ? idNode.textValue()
          : idNode.isIntegralNumber() ? idNode.asText() : null;
      if (id == null || id.isEmpty()) {
        String what = idNode == null || idNode.isNull() ? "missing or null"
            : idNode.isTextual() ? "empty" : "not a string or integer (" + idNode.getNodeType() + ")";
        return CorpusRecord.rejected(null, loc, RejectReason.NULL_ID, "id field '" + idField
            + "' is " + what + " at " + loc);
      }
    }
    JsonNode textNode = node.get(textField);
    if (textNode == null || textNode.isNull()) {
      return CorpusRecord.rejected(id, loc, RejectReason.EMPTY_TEXT, "text field '" + textField
          + "' is missing or null at " + loc);
    }
    if (!textNode.isTextual()) {
      return CorpusRecord.rejected(id, loc, RejectReason.UNREADABLE_TEXT, "text field '"
          + textField + "' is not a string (" + textNode.getNodeType() + ") at " + loc);
    }
    return textRecord(id, textNode.textValue(), loc);
  }

  private static CorpusRecord textRecord(String id, String text, String loc) {
    if (text == null || text.isBlank()) {
      return CorpusRecord.rejected(id, loc, RejectReason.EMPTY_TEXT, "empty text at " + loc);
    }
    return CorpusRecord.ok(id, text, loc);
  }

  private final class LineRecords implements Records {
    private final String rel;
    private final CorpusFormat format;
    private final Utf8Lines lines;
    private CorpusRecord next;
    private boolean done;

    LineRecords(String rel, CorpusFormat format, Utf8Lines lines) {
      this.rel = rel;
      this.format = format;
      this.lines = lines;
    }

    @Override
    public boolean hasNext() {
      if (next == null && !done) {
        try {
          if (lines.next()) {
            next = record();
          } else {
            done = true;
          }
        } catch (IOException e) {
          throw new UncheckedIOException("Cannot read corpus file " + rel + " after line "
              + lines.lineNumber() + ": " + e.getMessage(), e);
        }
      }
      return next != null;
    }

    private CorpusRecord record() {
      long n = lines.lineNumber();
      String loc = location(rel, n);
      String line;
      try {
        line = lines.decode();
      } catch (CharacterCodingException e) {
        String id = format == CorpusFormat.TEXT ? StableIds.lineId(rel, n) : null;
        return CorpusRecord.rejected(id, loc, RejectReason.UNREADABLE_TEXT, "invalid UTF-8 at "
            + loc);
      }
      if (format == CorpusFormat.TEXT) {
        return textRecord(StableIds.lineId(rel, n), line, loc);
      }
      return fromJson(rel, n, line);
    }

    @Override
    public CorpusRecord next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      CorpusRecord r = next;
      next = null;
      return r;
    }

    @Override
    public void close() {
      try {
        lines.close();
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot close corpus file " + rel, e);
      }
    }
  }

  private final class ParquetRecords implements Records {
    private final String rel;
    private final ParquetFileReader reader;
    private final MessageColumnIO io;
    private final MessageType projection;
    private final boolean hasId;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    private RecordReader<Group> rows;
    private long rowsLeft;
    private long row;

    ParquetRecords(String rel, InputFile in) throws IOException {
      this.rel = rel;
      this.reader = ParquetFileReader.open(in);
      try {
        MessageType schema = reader.getFooter().getFileMetaData().getSchema();
        List<Type> fields = new ArrayList<>();
        fields.add(column(schema, textField, false));
        hasId = idField != null;
        if (hasId) {
          fields.add(column(schema, idField, true));
        }
        projection = new MessageType(schema.getName(), fields);
        reader.setRequestedSchema(projection);
        io = new ColumnIOFactory().getColumnIO(projection, schema);
      } catch (RuntimeException e) {
        reader.close();
        throw e;
      }
    }

    private Type column(MessageType schema, String name, boolean isId) {
      String role = isId ? "id" : "text";
      String expected = isId ? "a string, int32 or int64 column" : "a string column";
      if (!schema.containsField(name)) {
        throw new IllegalArgumentException("Parquet file " + rel + " has no " + role + " column '"
            + name + "' (expected " + expected + "; its columns: " + schema.getFields().stream()
            .map(Type::getName).toList() + (isId ? "; or unset the id field to generate ids)"
                : ")"));
      }
      Type t = schema.getType(name);
      boolean ok = t.isPrimitive() && !t.isRepetition(Type.Repetition.REPEATED);
      if (ok) {
        PrimitiveType.PrimitiveTypeName p = t.asPrimitiveType().getPrimitiveTypeName();
        LogicalTypeAnnotation a = t.getLogicalTypeAnnotation();
        boolean string = p == PrimitiveType.PrimitiveTypeName.BINARY
            && (a == null || a instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation);
        ok = string || (isId && (p == PrimitiveType.PrimitiveTypeName.INT32
            || p == PrimitiveType.PrimitiveTypeName.INT64));
      }
      if (!ok) {
        throw new IllegalArgumentException("Parquet file " + rel + ": column '" + name + "' is "
            + t + " (expected " + expected + ")");
      }
      return t;
    }

    @Override
    public boolean hasNext() {
      try {
        while (rowsLeft == 0) {
          PageReadStore pages = reader.readNextRowGroup();
          if (pages == null) {
            return false;
          }
          rowsLeft = pages.getRowCount();
          rows = io.getRecordReader(pages, new GroupRecordConverter(projection));
        }
        return true;
      } catch (IOException | RuntimeException e) {
        throw new UncheckedIOException("Cannot read Parquet file " + rel + " after row " + row
            + ": " + e.getMessage(), e instanceof IOException ioe ? ioe : new IOException(e));
      }
    }

    @Override
    public CorpusRecord next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      Group g = rows.read();
      rowsLeft--;
      row++;
      String loc = location(rel, row);
      String id;
      if (!hasId) {
        id = StableIds.lineId(rel, row);
      } else if (g.getFieldRepetitionCount(idField) == 0) {
        id = null;
      } else {
        PrimitiveType.PrimitiveTypeName p = projection.getType(idField).asPrimitiveType()
            .getPrimitiveTypeName();
        if (p == PrimitiveType.PrimitiveTypeName.INT32) {
          id = Integer.toString(g.getInteger(idField, 0));
        } else if (p == PrimitiveType.PrimitiveTypeName.INT64) {
          id = Long.toString(g.getLong(idField, 0));
        } else {
          try {
            id = decode(g.getBinary(idField, 0).getBytes());
          } catch (CharacterCodingException e) {
            return CorpusRecord.rejected(null, loc, RejectReason.NULL_ID, "id is not valid UTF-8 at "
                + loc);
          }
        }
      }
      if (id == null || id.isEmpty()) {
        return CorpusRecord.rejected(null, loc, RejectReason.NULL_ID, "id column '" + idField
            + "' is null or empty at " + loc);
      }
      if (g.getFieldRepetitionCount(textField) == 0) {
        return CorpusRecord.rejected(id, loc, RejectReason.EMPTY_TEXT, "text column '" + textField
            + "' is null at " + loc);
      }
      String text;
      try {
        text = decode(g.getBinary(textField, 0).getBytes());
      } catch (CharacterCodingException e) {
        return CorpusRecord.rejected(id, loc, RejectReason.UNREADABLE_TEXT, "invalid UTF-8 at "
            + loc);
      }
      return textRecord(id, text, loc);
    }

    private String decode(byte[] bytes) throws CharacterCodingException {
      decoder.reset();
      return decoder.decode(ByteBuffer.wrap(bytes)).toString();
    }

    @Override
    public void close() {
      try {
        reader.close();
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot close Parquet file " + rel, e);
      }
    }
  }
}
