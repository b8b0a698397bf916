package dev.realign.encode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads what ONNX Runtime's Java API does not expose: the shapes of the model's initializers. It
 * walks the protobuf wire format of {@code ModelProto.graph} ({@code GraphProto.node} = field 1,
 * {@code .initializer} = field 5; {@code TensorProto.dims} = 1, {@code .name} = 8; {@code
 * NodeProto.input} = 1, {@code .op_type} = 4) and skips tensor payloads by their length, so even a
 * model of hundreds of MB is scanned in milliseconds without copying.
 *
 * <p>The word-embedding table is the initializer that a {@code Gather} node indexes with the graph
 * input {@code input_ids}; failing that, a 2-D initializer whose name ends in {@code
 * word_embeddings.weight}. Its first dimension is the number of token ids the model accepts. The
 * position table (a 2-D initializer named like {@link #POSITION_TABLES}) bounds the sequence
 * length. The model's {@code metadata_props} (ModelProto field 14) are read too: the export scripts
 * of {@code deploy/export/} state the context length and pooling there. Anything unexpected yields
 * {@link Limits#UNKNOWN}: this is a best-effort check, and the encoder also catches out-of-range
 * token ids at run time.
 */
final class OnnxGraphInspector {
  /**
   * Readable limits of a model; -1 where unknown. {@code positionTable} names the initializer that
   * bounds {@code maxPositions}; {@code metadata} is the model's {@code metadata_props}.
   */
  record Limits(
      long vocabRows,
      long maxPositions,
      String embeddingTable,
      String positionTable,
      Map<String, String> metadata) {
    static final Limits UNKNOWN = new Limits(-1, -1, null, null, Map.of());
  }

  /**
   * Name endings of position tables: BERT-like ({@code position_embeddings.weight}), HF CLIP
   * ({@code position_embedding.weight}), open_clip ({@code positional_embedding}).
   */
  private static final List<String> POSITION_TABLES =
      List.of("position_embeddings.weight", "position_embedding.weight", "positional_embedding");

  private OnnxGraphInspector() {}

  static Limits inspect(Path model) {
    try (FileChannel ch = FileChannel.open(model, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size > Integer.MAX_VALUE) {
        return Limits.UNKNOWN;
      }
      MappedByteBuffer buf = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
      return inspect(buf);
    } catch (IOException | RuntimeException e) {
      return Limits.UNKNOWN;
    }
  }

  static Limits inspect(ByteBuffer buf) {
    Wire top = new Wire(buf, 0, buf.limit());
    int[] graph = null;
    Map<String, String> metadata = new TreeMap<>();
    while (top.hasMore()) {
      int tag = top.tag();
      if (tag >>> 3 == 7 && (tag & 7) == 2) {
        graph = top.lengthDelimited();
      } else if (tag >>> 3 == 14 && (tag & 7) == 2) {
        readEntry(buf, top.lengthDelimited(), metadata);
      } else {
        top.skip(tag);
      }
    }
    if (graph == null) {
      return new Limits(-1, -1, null, null, Map.copyOf(metadata));
    }
    Map<String, List<Long>> initializers = new HashMap<>();
    List<String> gatherTables = new ArrayList<>();
    Wire g = new Wire(buf, graph[0], graph[1]);
    while (g.hasMore()) {
      int tag = g.tag();
      int field = tag >>> 3;
      if (field == 5 && (tag & 7) == 2) {
        int[] t = g.lengthDelimited();
        readTensor(buf, t, initializers);
      } else if (field == 1 && (tag & 7) == 2) {
        int[] n = g.lengthDelimited();
        String table = gatherOverInputIds(buf, n);
        if (table != null) {
          gatherTables.add(table);
        }
      } else {
        g.skip(tag);
      }
    }
    String table = null;
    for (String candidate : gatherTables) {
      List<Long> dims = initializers.get(candidate);
      if (dims != null && dims.size() == 2) {
        table = candidate;
        break;
      }
    }
    if (table == null) {
      table =
          initializers.entrySet().stream()
              .filter(
                  e -> e.getKey().endsWith("word_embeddings.weight") && e.getValue().size() == 2)
              .map(Map.Entry::getKey)
              .sorted()
              .findFirst()
              .orElse(null);
    }
    long vocab = table == null ? -1 : initializers.get(table).get(0);
    Map.Entry<String, List<Long>> positions =
        initializers.entrySet().stream()
            .filter(
                e ->
                    POSITION_TABLES.stream().anyMatch(e.getKey()::endsWith)
                        && e.getValue().size() == 2)
            .min(Comparator.comparingLong((Map.Entry<String, List<Long>> e) -> e.getValue().get(0)))
            .orElse(null);
    return new Limits(
        vocab,
        positions == null ? -1 : positions.getValue().get(0),
        table,
        positions == null ? null : positions.getKey(),
        Map.copyOf(metadata));
  }

  /** A {@code StringStringEntryProto} (key = 1, value = 2) into {@code out}. */
  private static void readEntry(ByteBuffer buf, int[] range, Map<String, String> out) {
    Wire e = new Wire(buf, range[0], range[1]);
    String key = null;
    String value = "";
    while (e.hasMore()) {
      int tag = e.tag();
      if (tag >>> 3 == 1 && (tag & 7) == 2) {
        key = e.string();
      } else if (tag >>> 3 == 2 && (tag & 7) == 2) {
        value = e.string();
      } else {
        e.skip(tag);
      }
    }
    if (key != null) {
      out.put(key, value);
    }
  }

  private static void readTensor(ByteBuffer buf, int[] range, Map<String, List<Long>> out) {
    Wire t = new Wire(buf, range[0], range[1]);
    List<Long> dims = new ArrayList<>();
    String name = null;
    while (t.hasMore()) {
      int tag = t.tag();
      int field = tag >>> 3;
      if (field == 1 && (tag & 7) == 0) {
        dims.add(t.varint());
      } else if (field == 1 && (tag & 7) == 2) {
        int[] packed = t.lengthDelimited();
        Wire p = new Wire(buf, packed[0], packed[1]);
        while (p.hasMore()) {
          dims.add(p.varint());
        }
      } else if (field == 8 && (tag & 7) == 2) {
        name = t.string();
      } else {
        t.skip(tag);
      }
    }
    if (name != null) {
      out.put(name, dims);
    }
  }

  /** The data input of a Gather node whose indices are the graph input input_ids, else null. */
  private static String gatherOverInputIds(ByteBuffer buf, int[] range) {
    Wire n = new Wire(buf, range[0], range[1]);
    List<String> inputs = new ArrayList<>(2);
    String op = null;
    while (n.hasMore()) {
      int tag = n.tag();
      int field = tag >>> 3;
      if (field == 1 && (tag & 7) == 2) {
        inputs.add(n.string());
      } else if (field == 4 && (tag & 7) == 2) {
        op = n.string();
      } else {
        n.skip(tag);
      }
    }
    return "Gather".equals(op) && inputs.size() == 2 && "input_ids".equals(inputs.get(1))
        ? inputs.get(0)
        : null;
  }

  /** A cursor over protobuf fields in [pos, end). */
  private static final class Wire {
    private final ByteBuffer buf;
    private int pos;
    private final int end;

    Wire(ByteBuffer buf, int pos, int end) {
      if (end > buf.limit() || pos < 0 || pos > end) {
        throw new IllegalArgumentException("truncated protobuf");
      }
      this.buf = buf;
      this.pos = pos;
      this.end = end;
    }

    boolean hasMore() {
      return pos < end;
    }

    int tag() {
      return (int) varint();
    }

    long varint() {
      long result = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        if (pos >= end) {
          throw new IllegalArgumentException("truncated varint");
        }
        byte b = buf.get(pos++);
        result |= (long) (b & 0x7f) << shift;
        if (b >= 0) {
          return result;
        }
      }
      throw new IllegalArgumentException("malformed varint");
    }

    int[] lengthDelimited() {
      long len = varint();
      if (len < 0 || pos + len > end) {
        throw new IllegalArgumentException("truncated field");
      }
      int start = pos;
      pos += (int) len;
      return new int[] {start, pos};
    }

    String string() {
      int[] r = lengthDelimited();
      byte[] bytes = new byte[r[1] - r[0]];
      buf.get(r[0], bytes);
      return new String(bytes, StandardCharsets.UTF_8);
    }

    void skip(int tag) {
      switch (tag & 7) {
        case 0 -> varint();
        case 1 -> pos += 8;
        case 2 -> lengthDelimited();
        case 5 -> pos += 4;
        default -> throw new IllegalArgumentException("unsupported wire type " + (tag & 7));
      }
      if (pos > end) {
        throw new IllegalArgumentException("truncated field");
      }
    }
  }
}
