package dev.realign.source;

import dev.realign.vector.RejectReason;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetReader;

/**
 * Reads a row range of a {@code .npy} file (positioned reads through Hadoop's FileSystem), with ids
 * and texts from the paired metadata Parquet file when there is one.
 */
final class NpySplitReader implements SplitReader {
  private final EmbeddingSplit split;
  private final long dataOffset;
  private final dev.realign.io.Npy.Dtype dtype;
  private final FSDataInputStream in;
  private final ParquetReader<ParquetEmbeddingRecord> metadata;
  private byte[] bytes = new byte[0];
  private long next;

  private final boolean idsOnly;

  NpySplitReader(EmbeddingSplit split, long dataOffset, Columns columns, boolean idsOnly,
      Configuration conf) {
    this.split = split;
    this.idsOnly = idsOnly;
    this.dataOffset = dataOffset;
    this.next = split.firstRow();
    this.dtype = EmbeddingSetPlanner.npyHeader(split.file(), conf).dtype();
    Path p = new Path(split.file());
    try {
      this.in = HadoopFiles.fs(p, conf).open(p);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot open .npy file " + split.file(), e);
    }
    if (split.metadataFile() != null) {
      this.metadata = ParquetSplitReader.open(split.metadataFile(), columns, false, 0, 0, conf);
      skipMetadata(split.firstRow());
    } else {
      this.metadata = null;
    }
  }

  private void skipMetadata(long rows) {
    try {
      for (long i = 0; i < rows; i++) {
        if (metadata.read() == null) {
          throw new IllegalStateException("Metadata file " + split.metadataFile()
              + " ended before row " + rows);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read metadata file " + split.metadataFile(), e);
    }
  }

  @Override
  public boolean next(RowBatch batch) {
    batch.clear();
    long end = split.firstRow() + split.rows();
    int n = (int) Math.min(batch.capacity, end - next);
    if (n <= 0) {
      return false;
    }
    int d = batch.dim;
    if (!idsOnly) {
      int size = dtype.bytes();
      int byteCount = Math.multiplyExact(n * d, size);
      if (bytes.length < byteCount) {
        bytes = new byte[byteCount];
      }
      try {
        in.readFully(dataOffset + next * d * (long) size, bytes, 0, byteCount);
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot read rows " + next + ".." + (next + n)
            + " of .npy file " + split.file(), e);
      }
      dtype.decode(bytes, 0, batch.flat, 0, n * d);
    }
    for (int i = 0; i < n; i++) {
      long row = next + i;
      batch.rowInFile[i] = row;
      if (metadata != null) {
        ParquetEmbeddingRecord r;
        try {
          r = metadata.read();
        } catch (IOException e) {
          throw new UncheckedIOException("Cannot read metadata file " + split.metadataFile(), e);
        }
        if (r == null) {
          throw new IllegalStateException("Metadata file " + split.metadataFile()
              + " ended at row " + row + " (must have as many rows as " + split.file() + ")");
        }
        batch.ids[i] = r.id;
        batch.texts[i] = r.text;
        if (r.id == null || r.id.isEmpty()) {
          batch.reject(i, RejectReason.NULL_ID, "id is null or empty");
        }
      } else {
        batch.ids[i] = split.idPrefix() + "-" + row;
      }
    }
    batch.size = n;
    next += n;
    return true;
  }

  @Override
  public void close() {
    try {
      in.close();
      if (metadata != null) {
        metadata.close();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot close " + split.file(), e);
    }
  }
}
