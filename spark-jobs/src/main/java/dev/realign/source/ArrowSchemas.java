package dev.realign.source;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import org.apache.arrow.flatbuf.Field;
import org.apache.arrow.flatbuf.FixedSizeList;
import org.apache.arrow.flatbuf.Message;
import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.flatbuf.Schema;
import org.apache.arrow.flatbuf.Type;

/**
 * Reads the Arrow schema that pyarrow stores in a Parquet file's key-value metadata ({@code
 * ARROW:schema}: base64 of an IPC schema message), where a {@code fixed_size_list} keeps the length
 * that the Parquet schema (a plain list) loses.
 */
final class ArrowSchemas {
  private ArrowSchemas() {}

  /**
   * The list size of top-level field {@code column} if the recorded Arrow type is a {@code
   * fixed_size_list}; -1 when there is no such metadata, it does not parse, or the type is another
   * (the caller then samples rows).
   */
  static int fixedSizeListLength(String arrowSchemaBase64, String column) {
    if (arrowSchemaBase64 == null) {
      return -1;
    }
    try {
      ByteBuffer b =
          ByteBuffer.wrap(Base64.getDecoder().decode(arrowSchemaBase64))
              .order(ByteOrder.LITTLE_ENDIAN);
      // IPC framing: an optional 0xFFFFFFFF continuation marker, then a 4-byte length.
      int start = b.getInt(0) == -1 ? 8 : 4;
      b.position(start);
      Message m = Message.getRootAsMessage(b.slice().order(ByteOrder.LITTLE_ENDIAN));
      if (m.headerType() != MessageHeader.Schema) {
        return -1;
      }
      Schema s = (Schema) m.header(new Schema());
      for (int i = 0; i < s.fieldsLength(); i++) {
        Field f = s.fields(i);
        if (column.equals(f.name()) && f.typeType() == Type.FixedSizeList) {
          FixedSizeList t = (FixedSizeList) f.type(new FixedSizeList());
          return t.listSize() > 0 ? t.listSize() : -1;
        }
      }
      return -1;
    } catch (RuntimeException e) {
      return -1;
    }
  }
}
