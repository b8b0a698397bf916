package dev.realign.ml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.realign.align.AlignmentKernel;
import dev.realign.align.FitOptions;
import dev.realign.align.ReAlignFitter;
import dev.realign.spark.DataFramePasses;
import dev.realign.spark.SparkFaceSerializationTest;
import dev.realign.spark.VectorType;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.serializer.Serializer;
import org.junit.jupiter.api.Test;

/** The model's row function: per type, per modality, and after Java and Kryo serialisation. */
class AlignRowFunctionTest {
  static final int D = 16;

  static float[] rows(long seed, int n, double shift) {
    Random r = new Random(seed);
    float[] out = new float[n * D];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) (r.nextGaussian() + (i % D == 0 ? shift : 0));
    }
    return out;
  }

  static org.apache.spark.sql.SparkSession spark;

  @org.junit.jupiter.api.BeforeAll
  static void start() {
    spark = dev.realign.spark.LocalSpark.start();
  }

  @org.junit.jupiter.api.AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void alignsTextsPassesImagesAndSurvivesSerialisation() {
    AlignmentKernel k =
        ReAlignFitter.fitInMemory(FitOptions.defaults(), rows(2, 100, 1), rows(3, 100, -1), D)
            .kernel();
    float[] row = Arrays.copyOf(rows(4, 1, 1), D);
    Float[] boxed = new Float[D];
    for (int j = 0; j < D; j++) {
      boxed[j] = row[j];
    }
    Object seq = scala.jdk.javaapi.CollectionConverters.asScala(Arrays.asList(boxed)).toSeq();
    DataFramePasses.Columns cols = new DataFramePasses.Columns("e", "m", "text", "image");
    org.apache.spark.broadcast.Broadcast<AlignmentKernel> b =
        org.apache.spark.api.java.JavaSparkContext.fromSparkContext(spark.sparkContext())
            .broadcast(k);
    for (Serializer s : SparkFaceSerializationTest.serializers()) {
      AlignRowFunction f =
          SparkFaceSerializationTest.roundTrip(
              s, new AlignRowFunction(b, VectorType.FLOAT_ARRAY, cols, true));
      assertThat((float[]) f.call(seq, "text")).isEqualTo(k.apply(row));
      assertThat(f.call(seq, "image")).isSameAs(seq);
      assertThatThrownBy(() -> f.call(seq, "audio"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("Invalid modality in column m: \"audio\"");
      AlignRowFunction v =
          SparkFaceSerializationTest.roundTrip(
              s, new AlignRowFunction(b, VectorType.ML_VECTOR, cols, false));
      Object out = v.call(new DenseVector(ReAlignTestRows.widen(row)), "text");
      assertThat(VectorType.toFloats(out)).isEqualTo(k.apply(row));
      assertThat(v.call(List.of(1f, 2f), "text")).isNull();
    }
  }
}
