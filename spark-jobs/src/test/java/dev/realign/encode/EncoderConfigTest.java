package dev.realign.encode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.ByteBuffer;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.serializer.SerializerInstance;
import org.junit.jupiter.api.Test;
import scala.reflect.ClassTag$;

class EncoderConfigTest {
  @Test
  void defaults() {
    EncoderConfig c = EncoderConfig.bundled();
    assertThat(c.maxLength()).isEqualTo(256);
    assertThat(c.pooling()).isEqualTo(Pooling.AUTO);
    assertThat(c.normalize()).isTrue();
    assertThat(c.batchSize()).isEqualTo(EncoderConfig.BATCH_SIZE_DEFAULT);
    assertThat(c.intraOpThreads()).isEqualTo(1);
    assertThat(c.provider()).isEqualTo(ExecutionProvider.CPU);
    assertThat(c.modelName()).isEqualTo("all-MiniLM-L6-v2");
    assertThat(EncoderConfig.fromOptions(Map.of())).isEqualTo(c);
    assertThat(EncoderConfig.fromOptions(Map.of("model_name", "minilm")).modelName())
        .isEqualTo("minilm");
  }

  @Test
  void readsOptions() {
    EncoderConfig c =
        EncoderConfig.fromOptions(
            Map.of(
                "model_path",
                "/models/e5.onnx",
                "tokenizer_path",
                "/models/tokenizer.json",
                "max_length",
                "512",
                "pooling",
                "output:sentence_embedding",
                "normalize",
                "false",
                "batch_size",
                "32",
                "intra_op_threads",
                "4",
                "execution_provider",
                "CUDA",
                "device_id",
                "1"));
    assertThat(c)
        .isEqualTo(
            new EncoderConfig(
                "/models/e5.onnx",
                "/models/tokenizer.json",
                "e5",
                512,
                Pooling.output("sentence_embedding"),
                false,
                32,
                4,
                ExecutionProvider.CUDA,
                1));
  }

  @Test
  void badOptionsNameKeyValueAndAllowedValues() {
    assertThatThrownBy(() -> EncoderConfig.fromOptions(Map.of("batchsize", "3")))
        .hasMessageStartingWith("Invalid encoder option: batchsize (must be one of [batch_size,");
    assertThatThrownBy(() -> EncoderConfig.fromOptions(Map.of("batch_size", "0")))
        .hasMessage("Invalid batch_size: 0 (must be > 0)");
    assertThatThrownBy(() -> EncoderConfig.fromOptions(Map.of("max_length", "many")))
        .hasMessage("Invalid max_length: many (must be an integer)");
    assertThatThrownBy(() -> EncoderConfig.fromOptions(Map.of("pooling", "max")))
        .hasMessage(
            "Invalid pooling: max (must be one of auto, mean, cls, output:<name>,"
                + " mean:<output>, cls:<output>)");
    assertThatThrownBy(() -> EncoderConfig.fromOptions(Map.of("execution_provider", "tpu")))
        .hasMessage("Invalid execution_provider: tpu (must be one of [cpu, cuda, tensorrt])");
    assertThatThrownBy(() -> EncoderConfig.fromOptions(Map.of("normalize", "yes")))
        .hasMessage("Invalid normalize: yes (must be true or false)");
    assertThatThrownBy(() -> EncoderConfig.fromOptions(Map.of("model_path", "/m.onnx")))
        .hasMessage("Missing tokenizer_path (required with model_path=/m.onnx)");
    assertThatThrownBy(() -> EncoderConfig.fromOptions(Map.of("tokenizer_path", "/t.json")))
        .hasMessage("Invalid tokenizer_path: /t.json (set only together with model_path)");
  }

  @Test
  void poolingRoundTripsThroughItsText() {
    for (String s :
        new String[] {
          "mean", "cls", "output:pooler_output", "mean:token_embeddings", "cls:hidden"
        }) {
      assertThat(Pooling.parse(s).toString()).isEqualTo(s);
    }
    assertThatThrownBy(() -> Pooling.parse("output")).hasMessageContaining("output:<name>");
    assertThatThrownBy(() -> Pooling.parse("mean:")).hasMessageContaining("must follow");
  }

  @Test
  void survivesJavaAndKryoSerialisation() throws Exception {
    EncoderConfig c =
        EncoderConfig.bundled().toBuilder().pooling(Pooling.parse("cls:x")).batchSize(17).build();

    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(c);
    }
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      assertThat(in.readObject()).isEqualTo(c);
    }

    SerializerInstance kryo = new KryoSerializer(new SparkConf()).newInstance();
    ByteBuffer buf = kryo.serialize(c, ClassTag$.MODULE$.apply(EncoderConfig.class));
    EncoderConfig back = kryo.deserialize(buf, ClassTag$.MODULE$.apply(EncoderConfig.class));
    assertThat(back).isEqualTo(c);
  }
}
