package dev.realign.encode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes tiny ONNX models from Java (no Python onnx here): an embedding lookup {@code out =
 * Gather(W, input_ids)} with {@code W[v, d]} an initializer, graph inputs {@code input_ids} and
 * {@code attention_mask} (int64 [batch, seq]) and one float output of shape [batch, seq, d] named
 * as asked. Protobuf field numbers from onnx.proto (ModelProto.ir_version 1, graph 7, opset_import
 * 8; GraphProto.node 1, name 2, initializer 5, input 11, output 12; ...).
 */
final class TinyOnnx {
  private TinyOnnx() {}

  /** W[i][j] = the value this fixture puts in the embedding table (mixed signs, distinct rows). */
  static float weight(int row, int col) {
    return (float) Math.sin(1.0 + row * 0.37 + col * 1.91);
  }

  /**
   * Writes the model to {@code file}; with {@code externalData} the table goes to a sidecar file
   * {@code <file name>.data} in the same folder (ONNX external data).
   */
  static Path write(
      Path file,
      int vocab,
      int dim,
      List<String> inputNames,
      String outputName,
      boolean externalData)
      throws IOException {
    byte[] raw = table(vocab, dim);
    Proto tensor =
        new Proto()
            .ints(1, vocab)
            .ints(1, dim) // dims
            .ints(2, 1) // data_type FLOAT
            .string(8, "W"); // name
    if (externalData) {
      String sidecar = file.getFileName() + ".data";
      Files.write(file.resolveSibling(sidecar), raw);
      tensor
          .message(13, new Proto().string(1, "location").string(2, sidecar))
          .message(13, new Proto().string(1, "offset").string(2, "0"))
          .message(13, new Proto().string(1, "length").string(2, Integer.toString(raw.length)))
          .ints(14, 1); // data_location EXTERNAL
    } else {
      tensor.bytes(9, raw); // raw_data
    }
    Proto node =
        new Proto()
            .string(1, "W")
            .string(1, inputNames.get(0))
            .string(2, outputName)
            .string(3, "lookup")
            .string(4, "Gather");
    Proto graph = new Proto().message(1, node).string(2, "tiny").message(5, tensor);
    for (String in : inputNames) {
      graph.message(11, valueInfo(in, 7, "batch", "seq", null));
    }
    graph.message(12, valueInfo(outputName, 1, "batch", "seq", dim));
    Proto model =
        new Proto()
            .ints(1, 8) // ir_version
            .string(2, "realign-test")
            .message(7, graph)
            .message(8, new Proto().string(1, "").ints(2, 13));
    Files.write(file, model.toByteArray());
    return file;
  }

  private static byte[] table(int vocab, int dim) {
    ByteBuffer b = ByteBuffer.allocate(vocab * dim * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < vocab; i++) {
      for (int j = 0; j < dim; j++) {
        b.putFloat(weight(i, j));
      }
    }
    return b.array();
  }

  private static Proto valueInfo(String name, int elemType, String d0, String d1, Integer d2) {
    Proto shape =
        new Proto().message(1, new Proto().string(2, d0)).message(1, new Proto().string(2, d1));
    if (d2 != null) {
      shape.message(1, new Proto().ints(1, d2));
    }
    Proto tensorType = new Proto().ints(1, elemType).message(2, shape);
    return new Proto().string(1, name).message(2, new Proto().message(1, tensorType));
  }

  /** A protobuf message being written. */
  static final class Proto {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Proto ints(int field, long value) {
      varint((long) field << 3);
      varint(value);
      return this;
    }

    Proto string(int field, String s) {
      return bytes(field, s.getBytes(StandardCharsets.UTF_8));
    }

    Proto message(int field, Proto m) {
      return bytes(field, m.toByteArray());
    }

    Proto bytes(int field, byte[] b) {
      varint(((long) field << 3) | 2);
      varint(b.length);
      out.writeBytes(b);
      return this;
    }

    byte[] toByteArray() {
      return out.toByteArray();
    }

    private void varint(long v) {
      while ((v & ~0x7FL) != 0) {
        out.write((int) ((v & 0x7F) | 0x80));
        v >>>= 7;
      }
      out.write((int) v);
    }
  }
}
