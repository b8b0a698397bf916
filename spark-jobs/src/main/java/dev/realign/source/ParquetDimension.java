package dev.realign.source;

import dev.realign.vector.RejectReason;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.metadata.FileMetaData;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;

/**
 * The dimension of a Parquet embedding set: from the vector column's type where it fixes one, else
 * from the agreement of the first rows (issue 12 item 5: one malformed first row must not make
 * every row {@code wrong_dimension}).
 */
final class ParquetDimension {
  private ParquetDimension() {}

  /** Vectors sampled when the schema does not fix the dimension. */
  static final int DIM_SAMPLE_ROWS = 64;

  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(ParquetDimension.class);

  /**
   * The dimension: from the schema where the type fixes it (fixed-width binary, or an Arrow {@code
   * fixed_size_list} recorded by pyarrow in the file's {@code ARROW:schema}), else the length a
   * strict majority of the first {@link #DIM_SAMPLE_ROWS} usable vectors agree on. Rows that
   * disagree are logged (they are rejected as {@code wrong_dimension} later); without a majority
   * the plan fails, listing the lengths seen. {@code footers} are the files' footers, as the
   * planner read them.
   */
  static int infer(
      EmbeddingSetPlanner.Spec spec,
      List<String> files,
      List<FileMetaData> footers,
      Configuration conf) {
    String col = spec.columns().vector();
    int fromSchema = -1;
    String source = null;
    for (int i = 0; i < files.size(); i++) {
      String file = files.get(i);
      int d = schemaDim(footers.get(i), col, file);
      if (d > 0 && fromSchema > 0 && d != fromSchema) {
        throw new IllegalArgumentException(
            EmbeddingSetPlanner.invalidColumn(file, spec.role(), col)
                + " has dimension "
                + d
                + " by its type (must be "
                + fromSchema
                + " as in "
                + source
                + ")");
      }
      if (d > 0 && fromSchema < 0) {
        fromSchema = d;
        source = file;
      }
    }
    if (fromSchema > 0) {
      LOG.info(
          "{} embeddings: dimension {} from the type of column '{}' in {}",
          spec.role(),
          fromSchema,
          col,
          source);
      return fromSchema;
    }
    List<String> where = new ArrayList<>();
    List<Integer> lengths = new ArrayList<>();
    for (String file : files) {
      if (lengths.size() >= DIM_SAMPLE_ROWS) {
        break;
      }
      sampleLengths(spec, file, conf, where, lengths);
    }
    if (lengths.isEmpty()) {
      throw new IllegalArgumentException(
          "Invalid "
              + spec.role()
              + " embeddings "
              + spec.path()
              + ": no row has a usable vector in column '"
              + col
              + "'");
    }
    java.util.Map<Integer, Integer> votes = new java.util.TreeMap<>();
    lengths.forEach(n -> votes.merge(n, 1, Integer::sum));
    int best = votes.entrySet().stream().max(java.util.Map.Entry.comparingByValue()).get().getKey();
    List<String> disagree = new ArrayList<>();
    for (int i = 0; i < lengths.size(); i++) {
      if (lengths.get(i) != best) {
        disagree.add(where.get(i) + " (dimension " + lengths.get(i) + ")");
      }
    }
    if (2 * votes.get(best) <= lengths.size()) {
      throw new IllegalArgumentException(
          "Invalid "
              + spec.role()
              + " embeddings "
              + spec.path()
              + ": the first "
              + lengths.size()
              + " vectors of column '"
              + col
              + "' do not agree on"
              + " a dimension (lengths "
              + votes
              + " by count; must be one length for most rows):"
              + " rows "
              + disagree.stream().limit(10).toList());
    }
    if (!disagree.isEmpty()) {
      LOG.warn(
          "{} embeddings: dimension {} from {} of the first {} vectors; {} disagree and will"
              + " be rejected as wrong_dimension: {}",
          spec.role(),
          best,
          votes.get(best),
          lengths.size(),
          disagree.size(),
          disagree.stream().limit(10).toList());
    }
    return best;
  }

  /** The dimension fixed by the vector column's type, or -1 where the type does not fix it. */
  static int schemaDim(FileMetaData md, String col, String file) {
    MessageType schema = md.getSchema();
    if (!schema.containsField(col)) {
      return -1;
    }
    Type t = schema.getType(col);
    if (t.isPrimitive()
        && t.asPrimitiveType().getPrimitiveTypeName() == PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY) {
      int bytes = t.asPrimitiveType().getTypeLength();
      if (bytes % 4 != 0 || bytes == 0) {
        throw new IllegalArgumentException(
            "Invalid column '"
                + col
                + "' in "
                + file
                + ": fixed_len_byte_array("
                + bytes
                + ") (must be d x 4 bytes little-endian)");
      }
      return bytes / 4;
    }
    return ArrowSchemas.fixedSizeListLength(md.getKeyValueMetaData().get("ARROW:schema"), col);
  }

  /** Appends the lengths (and positions) of the first usable vectors of {@code file}. */
  private static void sampleLengths(
      EmbeddingSetPlanner.Spec spec,
      String file,
      Configuration conf,
      List<String> where,
      List<Integer> lengths) {
    EmbeddingSplit whole =
        new EmbeddingSplit(
            0, EmbeddingFormat.PARQUET, file, 0, 0, 0, 0, null, HadoopFiles.stem(file));
    RowBatch batch = new RowBatch(1, DIM_SAMPLE_ROWS);
    try (ParquetSplitReader r =
        new ParquetSplitReader(whole, spec.columns(), false, false, conf).lengthsOnly()) {
      while (lengths.size() < DIM_SAMPLE_ROWS && r.next(batch)) {
        for (int i = 0; i < batch.size && lengths.size() < DIM_SAMPLE_ROWS; i++) {
          RejectReason reason = batch.reasons[i];
          if (reason == null || reason == RejectReason.WRONG_DIMENSION) {
            float[] raw = batch.raw[i];
            int n = raw == null ? 1 : raw.length;
            if (n > 0 && !(reason != null && batch.details[i].startsWith("binary"))) {
              lengths.add(n);
              where.add(file + " row " + batch.rowInFile[i]);
            }
          }
        }
      }
    }
  }
}
