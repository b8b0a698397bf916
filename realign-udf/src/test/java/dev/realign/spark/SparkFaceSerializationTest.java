package dev.realign.spark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realign.align.AlignmentKernel;
import dev.realign.align.FitOptions;
import dev.realign.align.ReAlignFitter;
import dev.realign.spark.SketchAggregation.PartialStats;
import dev.realign.stats.SketchCodec;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.SparkConf;
import org.apache.spark.serializer.JavaSerializer;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.serializer.Serializer;
import org.apache.spark.serializer.SerializerInstance;
import org.junit.jupiter.api.Test;
import scala.reflect.ClassTag$;

/** Everything the Spark face ships to executors survives Java and Kryo serialisation. */
public class SparkFaceSerializationTest {
  static final int D = 16;

  public static <T> T roundTrip(Serializer serializer, T value) {
    SerializerInstance s = serializer.newInstance();
    ByteBuffer bytes = s.serialize(value, ClassTag$.MODULE$.<T>apply(Object.class));
    return s.deserialize(bytes, ClassTag$.MODULE$.<T>apply(Object.class));
  }

  public static List<Serializer> serializers() {
    SparkConf conf = new SparkConf();
    return List.of(new JavaSerializer(conf), new KryoSerializer(conf));
  }

  static float[] rows(long seed, int n, double shift) {
    Random r = new Random(seed);
    float[] out = new float[n * D];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) (r.nextGaussian() + (i % D == 0 ? shift : 0));
    }
    return out;
  }

  @Test
  void partialsAndColumnsRoundTrip() {
    PartialStats p =
        new PartialStats(
            SketchCodec.encode(ReAlignFitter.sketch(rows(1, 20, 1), D)),
            22,
            2,
            Map.of("zero_norm", 2L));
    DataFramePasses.ModalityStats m =
        new DataFramePasses.ModalityStats(p, PartialStats.empty(D), 3);
    DataFramePasses.Columns cols = new DataFramePasses.Columns("e", "m", "t", "i");
    for (Serializer s : serializers()) {
      PartialStats back = roundTrip(s, p);
      assertThat(back.sketch).isEqualTo(p.sketch);
      assertThat(back.byReason).isEqualTo(p.byReason);
      assertThat(List.of(back.rows, back.rejected)).containsExactly(22L, 2L);
      DataFramePasses.ModalityStats mb = roundTrip(s, m);
      assertThat(mb.text.sketch).isEqualTo(p.sketch);
      assertThat(mb.unknownModality).isEqualTo(3);
      DataFramePasses.Columns cb = roundTrip(s, cols);
      assertThat(List.of(cb.vector(), cb.modality(), cb.textValue(), cb.imageValue()))
          .containsExactly("e", "m", "t", "i");
    }
  }

  @Test
  void theKernelAlignsIdenticallyAfterSerialisation() {
    AlignmentKernel k =
        ReAlignFitter.fitInMemory(FitOptions.defaults(), rows(2, 100, 1), rows(3, 100, -1), D)
            .kernel();
    float[] row = Arrays.copyOf(rows(4, 1, 1), D);
    for (Serializer s : serializers()) {
      assertThat(roundTrip(s, k).apply(row)).isEqualTo(k.apply(row));
    }
  }
}
