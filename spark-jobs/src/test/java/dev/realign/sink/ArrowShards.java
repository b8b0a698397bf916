package dev.realign.sink;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float2Vector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.types.pojo.Schema;

/** Reads Arrow IPC stream shards back with Arrow Java, for tests. */
public final class ArrowShards {
  private ArrowShards() {}

  /** One row read back; {@code bits} holds float32 bits or float16 bits, per the shard's dtype. */
  public record ArrowRow(String id, String text, int[] bits) {}

  /** A shard read back: its schema, the rows of each record batch, and all rows in order. */
  public record Content(Schema schema, List<Integer> batchRows, List<ArrowRow> rows) {}

  public static Content read(Path file) throws IOException {
    List<ArrowRow> rows = new ArrayList<>();
    List<Integer> batches = new ArrayList<>();
    try (BufferAllocator allocator = new RootAllocator(Long.MAX_VALUE);
        InputStream in = Files.newInputStream(file);
        ArrowStreamReader reader = new ArrowStreamReader(in, allocator)) {
      VectorSchemaRoot root = reader.getVectorSchemaRoot();
      Schema schema = root.getSchema();
      while (reader.loadNextBatch()) {
        batches.add(root.getRowCount());
        VarCharVector ids = (VarCharVector) root.getVector("id");
        FieldVector textVector = root.getVector("text");
        FixedSizeListVector emb = (FixedSizeListVector) root.getVector("embedding");
        int d = emb.getListSize();
        FieldVector child = emb.getDataVector();
        for (int i = 0; i < root.getRowCount(); i++) {
          int[] bits = new int[d];
          for (int j = 0; j < d; j++) {
            bits[j] =
                child instanceof Float4Vector f
                    ? Float.floatToRawIntBits(f.get(i * d + j))
                    : ((Float2Vector) child).get(i * d + j) & 0xffff;
          }
          String text =
              textVector == null || textVector.isNull(i)
                  ? null
                  : new String(((VarCharVector) textVector).get(i), StandardCharsets.UTF_8);
          rows.add(new ArrowRow(new String(ids.get(i), StandardCharsets.UTF_8), text, bits));
        }
      }
      return new Content(schema, batches, rows);
    }
  }
}
