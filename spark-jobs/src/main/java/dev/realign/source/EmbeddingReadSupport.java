package dev.realign.source;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.api.InitContext;
import org.apache.parquet.hadoop.api.ReadSupport;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.Converter;
import org.apache.parquet.io.api.GroupConverter;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.io.api.RecordMaterializer;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;

/**
 * Materialises embedding rows straight from Parquet's column readers: vector components go into a
 * growable {@code float[]} without boxing. Reads only the configured columns that the file has.
 */
final class EmbeddingReadSupport extends ReadSupport<ParquetEmbeddingRecord> {
  private final Columns columns;
  private final boolean readVector;

  EmbeddingReadSupport(Columns columns, boolean readVector) {
    this.columns = columns;
    this.readVector = readVector;
  }

  @Override
  public ReadContext init(InitContext context) {
    MessageType file = context.getFileSchema();
    List<Type> fields = new ArrayList<>();
    for (String name : wanted()) {
      if (name != null && file.containsField(name)) {
        fields.add(file.getType(name));
      }
    }
    return new ReadContext(new MessageType(file.getName(), fields));
  }

  private List<String> wanted() {
    return Arrays.asList(columns.id(), readVector ? columns.vector() : null, columns.text());
  }

  @Override
  public RecordMaterializer<ParquetEmbeddingRecord> prepareForRead(
      Configuration conf,
      Map<String, String> keyValueMetaData,
      MessageType fileSchema,
      ReadContext readContext) {
    return new Materializer(readContext.getRequestedSchema(), columns);
  }

  private static final class Materializer extends RecordMaterializer<ParquetEmbeddingRecord> {
    private final RootConverter root;

    Materializer(MessageType schema, Columns columns) {
      this.root = new RootConverter(schema, columns);
    }

    @Override
    public ParquetEmbeddingRecord getCurrentRecord() {
      return root.record;
    }

    @Override
    public GroupConverter getRootConverter() {
      return root;
    }
  }

  private static final class RootConverter extends GroupConverter {
    ParquetEmbeddingRecord record;
    private final Converter[] children;
    private final VectorSink vector = new VectorSink();

    RootConverter(MessageType schema, Columns columns) {
      children = new Converter[schema.getFieldCount()];
      for (int i = 0; i < children.length; i++) {
        Type t = schema.getType(i);
        String name = t.getName();
        if (name.equals(columns.id())) {
          children[i] = new StringConverter(v -> record.id = v, unsigned(t));
        } else if (name.equals(columns.text())) {
          children[i] = new StringConverter(v -> record.text = v, false);
        } else {
          children[i] = vectorConverter(t, vector, true);
        }
      }
    }

    @Override
    public Converter getConverter(int fieldIndex) {
      return children[fieldIndex];
    }

    @Override
    public void start() {
      record = new ParquetEmbeddingRecord();
      vector.reset();
    }

    @Override
    public void end() {
      if (vector.present) {
        record.vector = Arrays.copyOf(vector.values, vector.size);
        record.nullComponents = vector.entries - vector.size;
        record.badBinaryLength = vector.badBinaryLength;
      }
    }
  }

  /** Collects the components of one vector cell. */
  private static final class VectorSink {
    float[] values = new float[1024];
    int size;
    int entries;
    boolean present;
    int badBinaryLength = -1;

    void reset() {
      size = 0;
      entries = 0;
      present = false;
      badBinaryLength = -1;
    }

    void add(float v) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = v;
    }
  }

  private static Converter vectorConverter(Type t, VectorSink sink, boolean top) {
    if (t.isPrimitive()) {
      return new PrimitiveConverter() {
        @Override
        public void addFloat(float value) {
          sink.present = true;
          sink.entries += t.isRepetition(Type.Repetition.REPEATED) ? 1 : 0;
          sink.add(value);
        }

        @Override
        public void addBinary(Binary value) {
          sink.present = true;
          ByteBuffer b = value.toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
          int len = b.remaining();
          if (len % 4 != 0) {
            sink.badBinaryLength = len;
          }
          int n = len / 4;
          for (int i = 0; i < n; i++) {
            sink.add(b.getFloat(b.position() + 4 * i));
          }
          sink.entries = sink.size;
        }
      };
    }
    GroupType g = t.asGroupType();
    Converter[] kids = new Converter[g.getFieldCount()];
    for (int i = 0; i < kids.length; i++) {
      kids[i] = vectorConverter(g.getType(i), sink, false);
    }
    boolean repeated = !top && t.isRepetition(Type.Repetition.REPEATED);
    return new GroupConverter() {
      @Override
      public Converter getConverter(int fieldIndex) {
        return kids[fieldIndex];
      }

      @Override
      public void start() {
        sink.present = true;
        if (repeated) {
          sink.entries++;
        }
      }

      @Override
      public void end() {}
    };
  }

  /** Whether a column holds unsigned integers (uint32, uint64): ids then print unsigned. */
  static boolean unsigned(Type t) {
    return t.getLogicalTypeAnnotation()
            instanceof org.apache.parquet.schema.LogicalTypeAnnotation.IntLogicalTypeAnnotation i
        && !i.isSigned();
  }

  private static final class StringConverter extends PrimitiveConverter {
    private final java.util.function.Consumer<String> target;

    private final boolean unsigned;

    StringConverter(java.util.function.Consumer<String> target, boolean unsigned) {
      this.target = target;
      this.unsigned = unsigned;
    }

    @Override
    public void addBinary(Binary value) {
      target.accept(value.toStringUsingUTF8());
    }

    @Override
    public void addInt(int value) {
      target.accept(unsigned ? Integer.toUnsignedString(value) : Integer.toString(value));
    }

    @Override
    public void addLong(long value) {
      target.accept(unsigned ? Long.toUnsignedString(value) : Long.toString(value));
    }
  }
}
