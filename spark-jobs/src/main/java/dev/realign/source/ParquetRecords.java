package dev.realign.source;

import dev.realign.vector.RejectReason;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.MessageColumnIO;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/**
 * The records of row groups {@code [firstGroup, endGroup)} of a Parquet file (parquet-hadoop,
 * Spark's): top-level string columns {@code textField} and (optional) {@code idField} (string,
 * int32 or int64). Rows are numbered from {@code firstRow}, their 1-based row number in the file. A
 * file without the text column, or with columns of the wrong type, fails naming the file.
 */
final class ParquetRecords implements CorpusReader.Records {
  private final String rel;

  /** The file as its reader names it (the whole path), for the errors that are not its rows'. */
  private final String file;

  private final String idField;
  private final String textField;
  private final ParquetFileReader reader;
  private final MessageColumnIO io;
  private final MessageType projection;
  private final boolean hasId;
  private final CharsetDecoder decoder =
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT);
  private final int endGroup;
  private int nextGroup;
  private RecordReader<Group> rows;
  private long rowsLeft;
  private long row;

  /** Row groups {@code [firstGroup, endGroup)}; {@code endGroup < 0}: to the last. */
  ParquetRecords(
      String rel,
      InputFile in,
      String idField,
      String textField,
      int firstGroup,
      int endGroup,
      long firstRow)
      throws IOException {
    this.rel = rel;
    this.file = in.toString();
    this.idField = idField;
    this.textField = textField;
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
      int groups = reader.getRowGroups().size();
      this.endGroup = endGroup < 0 ? groups : endGroup;
      if (firstGroup < 0 || this.endGroup > groups || firstGroup > this.endGroup) {
        throw new IllegalArgumentException(
            "Parquet file "
                + rel
                + " has "
                + groups
                + " row groups, not ["
                + firstGroup
                + ", "
                + this.endGroup
                + ") (it changed since the"
                + " plan?)");
      }
    } catch (RuntimeException e) {
      reader.close();
      throw e;
    }
    this.nextGroup = firstGroup;
    this.row = firstRow - 1;
  }

  private Type column(MessageType schema, String name, boolean isId) {
    String role = isId ? "id" : "text";
    String expected = isId ? "a string, int32 or int64 column" : "a string column";
    if (!schema.containsField(name)) {
      throw new IllegalArgumentException(
          "Parquet file "
              + rel
              + " has no "
              + role
              + " column '"
              + name
              + "' (expected "
              + expected
              + "; its columns: "
              + schema.getFields().stream().map(Type::getName).toList()
              + (isId ? "; or unset the id field to generate ids)" : ")"));
    }
    Type t = schema.getType(name);
    boolean ok = t.isPrimitive() && !t.isRepetition(Type.Repetition.REPEATED);
    if (ok) {
      PrimitiveType.PrimitiveTypeName p = t.asPrimitiveType().getPrimitiveTypeName();
      LogicalTypeAnnotation a = t.getLogicalTypeAnnotation();
      boolean string =
          p == PrimitiveType.PrimitiveTypeName.BINARY
              && (a == null || a instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation);
      ok =
          string
              || (isId
                  && (p == PrimitiveType.PrimitiveTypeName.INT32
                      || p == PrimitiveType.PrimitiveTypeName.INT64));
    }
    if (!ok) {
      throw new IllegalArgumentException(
          "Parquet file "
              + rel
              + ": column '"
              + name
              + "' is "
              + t
              + " (expected "
              + expected
              + ")");
    }
    return t;
  }

  @Override
  public boolean hasNext() {
    try {
      while (rowsLeft == 0) {
        if (nextGroup >= endGroup) {
          return false;
        }
        PageReadStore pages = reader.readRowGroup(nextGroup++);
        rowsLeft = pages.getRowCount();
        rows = io.getRecordReader(pages, new GroupRecordConverter(projection));
      }
      return true;
    } catch (IOException | RuntimeException e) {
      throw new UncheckedIOException(
          "Cannot read Parquet file " + rel + " after row " + row + ": " + e.getMessage(),
          e instanceof IOException ioe ? ioe : new IOException(e));
    } catch (LinkageError | org.xerial.snappy.SnappyError e) {
      throw NativeCodecErrors.cannotRead(e, file);
    }
  }

  @Override
  public CorpusRecord next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    Group g;
    try {
      g = rows.read();
    } catch (LinkageError | org.xerial.snappy.SnappyError e) {
      throw NativeCodecErrors.cannotRead(e, file);
    }
    rowsLeft--;
    row++;
    String loc = CorpusRecord.location(rel, row);
    String id;
    if (!hasId) {
      id = StableIds.lineId(rel, row);
    } else if (g.getFieldRepetitionCount(idField) == 0) {
      id = null;
    } else {
      PrimitiveType.PrimitiveTypeName p =
          projection.getType(idField).asPrimitiveType().getPrimitiveTypeName();
      boolean unsigned = EmbeddingReadSupport.unsigned(projection.getType(idField));
      if (p == PrimitiveType.PrimitiveTypeName.INT32) {
        int v = g.getInteger(idField, 0);
        id = unsigned ? Integer.toUnsignedString(v) : Integer.toString(v);
      } else if (p == PrimitiveType.PrimitiveTypeName.INT64) {
        long v = g.getLong(idField, 0);
        id = unsigned ? Long.toUnsignedString(v) : Long.toString(v);
      } else {
        try {
          id = decode(g.getBinary(idField, 0).getBytes());
        } catch (CharacterCodingException e) {
          return CorpusRecord.rejected(
              null, loc, RejectReason.NULL_ID, "id is not valid UTF-8 at " + loc);
        }
      }
    }
    if (id == null || id.isEmpty()) {
      return CorpusRecord.rejected(
          null,
          loc,
          RejectReason.NULL_ID,
          "id column '" + idField + "' is null or empty at " + loc);
    }
    if (g.getFieldRepetitionCount(textField) == 0) {
      return CorpusRecord.rejected(
          id, loc, RejectReason.EMPTY_TEXT, "text column '" + textField + "' is null at " + loc);
    }
    String text;
    try {
      text = decode(g.getBinary(textField, 0).getBytes());
    } catch (CharacterCodingException e) {
      return CorpusRecord.rejected(
          id, loc, RejectReason.UNREADABLE_TEXT, "invalid UTF-8 at " + loc);
    }
    return CorpusRecord.ofText(id, text, loc);
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
