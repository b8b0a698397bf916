package dev.realign.sink;

import dev.realign.vector.Float16;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Writes one shard as an Arrow IPC <em>stream</em> (what Hugging Face's {@code Dataset.from_file}
 * memory-maps; the IPC file format is not): {@code id} utf8, {@code text} utf8 when the input has
 * texts, {@code embedding} fixed_size_list&lt;float32 or float16, d&gt;, non-null, in record
 * batches of a fixed number of rows. The bytes depend only on the rows and the options (no
 * timestamps, no metadata, zeroed padding), so retries, JVMs and partition counts give the same
 * shard; the SHA-256 is computed while writing.
 */
public final class ArrowShardWriter implements EmbeddingShardWriter {
  private final Path path;
  private final int dim;
  private final int batchRows;
  private final ShardFormat.Dtype dtype;
  private final BufferAllocator allocator;
  private final VectorSchemaRoot root;
  private final VarCharVector ids;
  private final VarCharVector texts;
  private final FixedSizeListVector embeddings;
  private final FieldVector values;

  /** One row's embedding as little-endian bytes, copied into the vector in one call. */
  private final byte[] rowBytes;

  private final java.nio.FloatBuffer rowFloats;
  private final java.nio.ShortBuffer rowHalves;
  private final DigestingOutputStream digest;
  private final ArrowStreamWriter writer;
  private int inBatch;
  private long rows;
  private ShardInfo info;

  /** The shard schema; also what readers check a shard against. */
  public static Schema schema(int dim, boolean withText, ShardFormat.Dtype dtype) {
    List<Field> fields = new ArrayList<>();
    fields.add(new Field("id", FieldType.notNullable(ArrowType.Utf8.INSTANCE), null));
    if (withText) {
      fields.add(new Field("text", FieldType.nullable(ArrowType.Utf8.INSTANCE), null));
    }
    ArrowType element =
        new ArrowType.FloatingPoint(
            dtype == ShardFormat.Dtype.FLOAT16
                ? FloatingPointPrecision.HALF
                : FloatingPointPrecision.SINGLE);
    // "item": the child name pyarrow gives list elements, so schemas compare equal in Python.
    Field item = new Field("item", FieldType.notNullable(element), null);
    fields.add(
        new Field(
            "embedding", FieldType.notNullable(new ArrowType.FixedSizeList(dim)), List.of(item)));
    return new Schema(fields);
  }

  ArrowShardWriter(
      FileSystem fs, Path path, int dim, boolean withText, ShardFormat.Dtype dtype, int batchRows) {
    this.path = path;
    this.dim = dim;
    this.batchRows = batchRows;
    this.dtype = dtype;
    this.allocator = new RootAllocator(Long.MAX_VALUE);
    VectorSchemaRoot r = null;
    try {
      r = VectorSchemaRoot.create(schema(dim, withText, dtype), allocator);
      this.root = r;
      this.ids = (VarCharVector) r.getVector("id");
      this.texts = withText ? (VarCharVector) r.getVector("text") : null;
      this.embeddings = (FixedSizeListVector) r.getVector("embedding");
      for (FieldVector v : r.getFieldVectors()) {
        v.setInitialCapacity(batchRows);
        v.allocateNew();
      }
      this.values = embeddings.getDataVector();
      this.rowBytes = new byte[dim * dtype.bytes()];
      java.nio.ByteBuffer row =
          java.nio.ByteBuffer.wrap(rowBytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
      this.rowFloats = row.asFloatBuffer();
      this.rowHalves = row.asShortBuffer();
      this.digest =
          new DigestingOutputStream(new BufferedOutputStream(fs.create(path, true), 1 << 20));
      this.writer = new ArrowStreamWriter(r, null, digest);
      writer.start();
    } catch (IOException | RuntimeException e) {
      if (r != null) {
        r.close();
      }
      allocator.close();
      if (e instanceof IOException io) {
        throw new UncheckedIOException("Cannot create Arrow file " + path, io);
      }
      throw (RuntimeException) e;
    }
  }

  @Override
  public void write(String id, String text, float[] row, int offset) {
    int i = inBatch;
    ids.setSafe(i, id.getBytes(StandardCharsets.UTF_8));
    if (texts != null) {
      if (text == null) {
        texts.setNull(i);
      } else {
        texts.setSafe(i, text.getBytes(StandardCharsets.UTF_8));
      }
    }
    int start = embeddings.startNewValue(i);
    if (dtype == ShardFormat.Dtype.FLOAT32) {
      rowFloats.clear();
      rowFloats.put(row, offset, dim);
    } else {
      for (int j = 0; j < dim; j++) {
        rowHalves.put(j, Float16.fromFloat(row[offset + j]));
      }
    }
    // Arrow buffers are little-endian; element validity is set for the whole batch in flush().
    this.values
        .getDataBuffer()
        .setBytes((long) start * dtype.bytes(), rowBytes, 0, rowBytes.length);
    inBatch++;
    rows++;
    if (inBatch == batchRows) {
      flush();
    }
  }

  private void flush() {
    if (inBatch == 0) {
      return;
    }
    long elements = (long) inBatch * dim;
    org.apache.arrow.memory.ArrowBuf validity = values.getValidityBuffer();
    validity.setOne(0L, elements / 8);
    for (long k = elements / 8 * 8; k < elements; k++) {
      org.apache.arrow.vector.BitVectorHelper.setBit(validity, k);
    }
    root.setRowCount(inBatch);
    try {
      writer.writeBatch();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write Arrow file " + path, e);
    }
    // reset() zeroes validity and offsets and keeps the buffers: the next batch reuses them.
    for (FieldVector v : root.getFieldVectors()) {
      v.reset();
    }
    inBatch = 0;
  }

  @Override
  public ShardInfo finish() {
    flush();
    try {
      writer.end();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write Arrow file " + path, e);
    }
    close();
    return info;
  }

  @Override
  public void close() {
    if (info != null) {
      return;
    }
    try {
      writer.close();
    } finally {
      root.close();
      allocator.close();
    }
    info = new ShardInfo(path.getName(), rows, digest.bytes(), digest.sha256());
  }
}
