package dev.realign.source;

/**
 * One row as materialised from Parquet. {@code vector} is null when the column value is null;
 * {@code nullComponents} counts null list elements (such a vector is unusable).
 */
final class ParquetEmbeddingRecord {
  String id;
  String text;
  float[] vector;
  int nullComponents;

  /** Set for a binary vector whose byte length is not a multiple of 4. */
  int badBinaryLength = -1;
}
