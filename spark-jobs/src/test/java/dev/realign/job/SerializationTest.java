package dev.realign.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realign.align.AlignmentKernel;
import dev.realign.align.FitOptions;
import dev.realign.align.ReAlignFitter;
import dev.realign.config.PipelineConfig;
import dev.realign.source.Columns;
import dev.realign.source.EmbeddingFormat;
import dev.realign.source.EmbeddingSet;
import dev.realign.source.EmbeddingSplit;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.serializer.JavaSerializer;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.serializer.Serializer;
import org.apache.spark.serializer.SerializerInstance;
import org.junit.jupiter.api.Test;
import scala.reflect.ClassTag$;

/** Everything shipped to executors survives Java and Kryo serialisation unchanged. */
class SerializationTest {
  static final int D = 16;

  static <T> T roundTrip(Serializer serializer, T value) {
    SerializerInstance s = serializer.newInstance();
    ByteBuffer bytes = s.serialize(value, ClassTag$.MODULE$.<T>apply(Object.class));
    return s.deserialize(bytes, ClassTag$.MODULE$.<T>apply(Object.class));
  }

  static List<Serializer> serializers() {
    SparkConf conf = new SparkConf();
    return List.of(new JavaSerializer(conf), new KryoSerializer(conf));
  }

  @Test
  void theKernelAlignsIdenticallyAfterSerialisation() {
    float[] texts = PipelineFixture.randomRows(1, 300, D, 1.0);
    float[] images = PipelineFixture.randomRows(2, 300, D, -1.0);
    AlignmentKernel k = ReAlignFitter.fitInMemory(FitOptions.defaults(), texts, images, D).kernel();
    float[] row = java.util.Arrays.copyOf(texts, D);
    for (Serializer s : serializers()) {
      AlignmentKernel copy = roundTrip(s, k);
      assertThat(copy.apply(row)).isEqualTo(k.apply(row));
      assertThat(copy.centroidSteps()).isEqualTo(1);
    }
  }

  @Test
  void splitsSetsConfigsAndRowFunctionsRoundTrip() {
    EmbeddingSplit split =
        new EmbeddingSplit(3, EmbeddingFormat.NPY, "file:/x/t.npy", 10, 20, 128, 0, null, "t");
    EmbeddingSet set =
        new EmbeddingSet(
            "text",
            "/x",
            EmbeddingFormat.NPY,
            D,
            20,
            Columns.DEFAULT,
            false,
            false,
            List.of("file:/x/t.npy"),
            List.of(split));
    PipelineConfig config = PipelineConfig.builder().set("output.dir", "/o").build();
    Configuration hadoop = new Configuration(false);
    hadoop.set("fs.example.setting", "42");
    for (Serializer s : serializers()) {
      assertThat(roundTrip(s, split)).isEqualTo(split);
      assertThat(roundTrip(s, set)).isEqualTo(set);
      assertThat(roundTrip(s, config).asMap()).isEqualTo(config.asMap());
      assertThat(roundTrip(s, new SerializableHadoopConf(hadoop)).get().get("fs.example.setting"))
          .isEqualTo("42");
      ApplyPass.RowFunction copy = roundTrip(s, ApplyPass.copy());
      assertThat(copy.sketchesOutput()).isFalse();
      assertThat(copy.unchanged()).isTrue();
      dev.realign.source.RowBatch batch = new dev.realign.source.RowBatch(D, 2);
      batch.size = 2;
      for (int j = 0; j < 2 * D; j++) {
        batch.flat[j] = j + 0.5f;
      }
      batch.reject(1, dev.realign.vector.RejectReason.NULL_ID, "no id");
      float[] out = new float[2 * D];
      boolean[] accepted = new boolean[2];
      copy.apply(batch, out, accepted, new double[copy.scratchSize(D)]);
      assertThat(out).containsExactly(java.util.Arrays.copyOf(batch.flat, 2 * D));
      assertThat(accepted).containsExactly(true, false);
      assertThat(
              roundTrip(
                      s,
                      new SplitStats(
                          new byte[] {1, 2}, 5, 1, java.util.Map.of("zero_norm", 1L), List.of()))
                  .rows)
          .isEqualTo(5);
      SampleRows.Draw draw = new SampleRows.Draw(3, 1.0);
      draw.offer("a", batch.flat, 0, D);
      draw.offer("b", batch.flat, D, D);
      SplitStats drawn =
          roundTrip(
              s, new SplitStats(new byte[] {1}, 2, 0, java.util.Map.of(), List.of(), draw, null));
      assertThat(drawn.draw().complete()).isTrue();
      assertThat(drawn.draw().sample())
          .extracting(r -> r.id)
          .containsExactlyElementsOf(draw.sample().stream().map(r -> r.id).toList());
      for (int i = 0; i < 2; i++) {
        SampleRows.Sampled r = drawn.draw().sample().get(i);
        int row = r.id.equals("a") ? 0 : 1;
        assertThat(r.vector())
            .isEqualTo(java.util.Arrays.copyOfRange(batch.flat, row * D, (row + 1) * D));
      }
    }
  }
}
