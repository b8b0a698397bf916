package dev.realign.spark;

import dev.realign.align.AlignmentKernel;
import dev.realign.spark.SketchAggregation.CentroidAccumulator;
import dev.realign.spark.SketchAggregation.PartialStats;
import dev.realign.spark.SketchAggregation.RowAccumulator;
import dev.realign.stats.MomentSnapshot;
import dev.realign.vector.RejectReason;
import java.io.Serializable;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The fit's passes over a user's DataFrame, through the same {@link SketchAggregation} as the CLI's
 * jobs: a stats pass sketching the text and the image rows, and the centroid passes over the texts.
 * The frame has two columns: the vector (any {@link VectorType}) and the modality (string).
 */
public final class DataFramePasses {
  private DataFramePasses() {}

  /** Per modality sketches and row accounting, plus rows of neither modality. */
  public static final class ModalityStats implements Serializable {
    private static final long serialVersionUID = 1L;

    public final PartialStats text;
    public final PartialStats image;

    /** Rows whose modality is null or neither the text nor the image value. */
    public final long unknownModality;

    public ModalityStats(PartialStats text, PartialStats image, long unknownModality) {
      this.text = text;
      this.image = image;
      this.unknownModality = unknownModality;
    }

    static ModalityStats empty(int dim) {
      return new ModalityStats(PartialStats.empty(dim), PartialStats.empty(dim), 0);
    }

    static ModalityStats merge(ModalityStats a, ModalityStats b) {
      return new ModalityStats(
          PartialStats.merge(a.text, b.text),
          PartialStats.merge(a.image, b.image),
          a.unknownModality + b.unknownModality);
    }
  }

  /**
   * What a pass needs to know about the frame's columns (captured by the tasks). A class, not a
   * record: Kryo cannot set a record's final fields.
   */
  public static final class Columns implements Serializable {
    private static final long serialVersionUID = 1L;
    private final String vector;
    private final String modality;
    private final String textValue;
    private final String imageValue;

    public Columns(String vector, String modality, String textValue, String imageValue) {
      this.vector = vector;
      this.modality = modality;
      this.textValue = textValue;
      this.imageValue = imageValue;
    }

    public String vector() {
      return vector;
    }

    public String modality() {
      return modality;
    }

    public String textValue() {
      return textValue;
    }

    public String imageValue() {
      return imageValue;
    }
  }

  /**
   * Sketches every row by modality.
   *
   * @param failOnInvalid fail the job on the first invalid row or unknown modality (the message
   *     names the column, the reason and the fix); otherwise count and leave them out
   */
  public static ModalityStats sketch(
      Dataset<Row> frame, int dim, Columns cols, boolean failOnInvalid) {
    JavaRDD<ModalityStats> partials =
        frame
            .toJavaRDD()
            .mapPartitions(
                rows -> {
                  RowAccumulator text = new RowAccumulator(dim);
                  RowAccumulator image = new RowAccumulator(dim);
                  long unknown = 0;
                  while (rows.hasNext()) {
                    Row row = rows.next();
                    String modality = row.isNullAt(1) ? null : row.getString(1);
                    RowAccumulator acc =
                        cols.textValue().equals(modality)
                            ? text
                            : cols.imageValue().equals(modality) ? image : null;
                    if (acc == null) {
                      if (failOnInvalid) {
                        throw unknownModality(cols, modality);
                      }
                      unknown++;
                      continue;
                    }
                    float[] v = VectorType.toFloats(row.isNullAt(0) ? null : row.get(0));
                    RejectReason reason =
                        v == null
                            ? RejectReason.NULL_VECTOR
                            : v.length != dim ? RejectReason.WRONG_DIMENSION : null;
                    if (reason != null) {
                      acc.reject(reason);
                    } else {
                      reason = acc.add(v, 0);
                    }
                    if (reason != null && failOnInvalid) {
                      throw invalidRow(cols.vector(), modality, reason, v, dim);
                    }
                  }
                  return List.of(new ModalityStats(text.partial(), image.partial(), unknown))
                      .iterator();
                });
    return SketchAggregation.treeMerge(partials, ModalityStats.empty(dim), ModalityStats::merge);
  }

  /** The sketch of {@code kernel}'s unit outputs over the valid text rows (one centroid pass). */
  public static MomentSnapshot centroidPass(
      Dataset<Row> frame, Columns cols, AlignmentKernel kernel) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(frame.sparkSession().sparkContext());
    Broadcast<AlignmentKernel> k = jsc.broadcast(kernel);
    int dim = kernel.dimension();
    try {
      JavaRDD<byte[]> partials =
          frame
              .toJavaRDD()
              .mapPartitions(
                  (Iterator<Row> rows) -> {
                    CentroidAccumulator acc = new CentroidAccumulator(k.value());
                    while (rows.hasNext()) {
                      Row row = rows.next();
                      if (row.isNullAt(1)
                          || row.isNullAt(0)
                          || !cols.textValue().equals(row.getString(1))) {
                        continue;
                      }
                      float[] v = VectorType.toFloats(row.get(0));
                      if (v.length == dim) {
                        acc.add(v, 0);
                      }
                    }
                    return List.of(acc.encoded()).iterator();
                  });
      return SketchAggregation.mergeAll(partials, dim);
    } finally {
      k.destroy();
    }
  }

  static IllegalArgumentException unknownModality(Columns cols, String modality) {
    return new IllegalArgumentException(
        "Invalid modality in column "
            + cols.modality()
            + ": "
            + (modality == null ? "null" : "\"" + modality + "\"")
            + " (must be \""
            + cols.textValue()
            + "\" or \""
            + cols.imageValue()
            + "\"; set handleInvalid to skip or keep to leave such"
            + " rows out)");
  }

  /** The message of an invalid row under handleInvalid=error. */
  public static IllegalArgumentException invalidRow(
      String column, String modality, RejectReason reason, float[] v, int dim) {
    String detail =
        switch (reason) {
          case NULL_VECTOR -> "null vector";
          case WRONG_DIMENSION ->
              "length " + Objects.requireNonNull(v).length + ", expected " + dim;
          case NON_FINITE -> "NaN or infinite component";
          case ZERO_NORM -> "L2 norm below 1e-10";
          default -> reason.code();
        };
    return new IllegalArgumentException(
        "Invalid "
            + modality
            + " row in column "
            + column
            + ": "
            + reason.code()
            + " ("
            + detail
            + "); set handleInvalid to skip or keep to leave such rows"
            + " out");
  }
}
