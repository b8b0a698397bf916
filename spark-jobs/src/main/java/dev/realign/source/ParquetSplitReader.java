package dev.realign.source;

import dev.realign.vector.RejectReason;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.api.ReadSupport;
import org.apache.parquet.hadoop.util.HadoopInputFile;

/** Reads the rows of a Parquet split (a range of row groups) in file order. */
final class ParquetSplitReader implements SplitReader {
  private final EmbeddingSplit split;
  private final ParquetReader<ParquetEmbeddingRecord> reader;
  private final boolean idsFromColumn;
  private long row;

  private final boolean idsOnly;

  ParquetSplitReader(EmbeddingSplit split, Columns columns, boolean idsFromColumn,
      boolean idsOnly, Configuration conf) {
    this.split = split;
    this.idsFromColumn = idsFromColumn;
    this.idsOnly = idsOnly;
    this.row = split.firstRow();
    this.reader = open(split.file(), columns, !idsOnly, split.rangeStart(), split.rangeEnd(),
        conf);
  }

  static ParquetReader<ParquetEmbeddingRecord> open(String file, Columns columns,
      boolean readVector, long rangeStart, long rangeEnd, Configuration conf) {
    try {
      HadoopInputFile in = HadoopInputFile.fromPath(new Path(file), conf);
      EmbeddingReadSupport support = new EmbeddingReadSupport(columns, readVector);
      ParquetReader.Builder<ParquetEmbeddingRecord> b =
          new ParquetReader.Builder<ParquetEmbeddingRecord>(in) {
            @Override
            protected ReadSupport<ParquetEmbeddingRecord> getReadSupport() {
              return support;
            }
          }.withConf(conf);
      if (rangeEnd > rangeStart) {
        b = b.withFileRange(rangeStart, rangeEnd);
      }
      return b.build();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read Parquet file " + file, e);
    }
  }

  @Override
  public boolean next(RowBatch batch) {
    batch.clear();
    try {
      while (batch.size < batch.capacity) {
        ParquetEmbeddingRecord r = reader.read();
        if (r == null) {
          break;
        }
        int i = batch.size++;
        batch.rowInFile[i] = row;
        batch.texts[i] = r.text;
        batch.ids[i] = idsFromColumn ? r.id : split.idPrefix() + "-" + row;
        row++;
        if (!idsOnly) {
          fillVector(batch, i, r);
        }
        if (batch.ids[i] == null || batch.ids[i].isEmpty()) {
          batch.reject(i, RejectReason.NULL_ID, "id is null or empty");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read Parquet file " + split.file(), e);
    }
    return batch.size > 0;
  }

  static void fillVector(RowBatch batch, int i, ParquetEmbeddingRecord r) {
    int d = batch.dim;
    if (r.vector == null) {
      batch.reject(i, RejectReason.NULL_VECTOR, "vector is null");
    } else if (r.nullComponents > 0) {
      batch.raw[i] = r.vector;
      batch.reject(i, RejectReason.NULL_VECTOR, r.nullComponents + " null components");
    } else if (r.badBinaryLength >= 0) {
      batch.raw[i] = r.vector;
      batch.reject(i, RejectReason.WRONG_DIMENSION, "binary of " + r.badBinaryLength
          + " bytes (must be " + d + " x 4)");
    } else if (r.vector.length != d) {
      batch.raw[i] = r.vector;
      batch.reject(i, RejectReason.WRONG_DIMENSION, "dimension " + r.vector.length
          + " (must be " + d + ")");
    } else {
      System.arraycopy(r.vector, 0, batch.flat, i * d, d);
    }
  }

  @Override
  public void close() {
    try {
      reader.close();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot close Parquet file " + split.file(), e);
    }
  }
}
