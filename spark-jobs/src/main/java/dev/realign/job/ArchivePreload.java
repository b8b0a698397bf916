package dev.realign.job;

import dev.realign.sink.EmbeddingShardWriter;
import dev.realign.sink.ShardOutput;
import dev.realign.source.Columns;
import dev.realign.source.EmbeddingFormat;
import dev.realign.source.EmbeddingSet;
import dev.realign.source.EmbeddingSetPlanner;
import dev.realign.source.EmbeddingSplit;
import dev.realign.source.RowBatch;
import dev.realign.source.SplitReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;

/**
 * Loads the classes of both embedding formats' planners and readers, for the launcher's class-data
 * sharing archive: the archive holds the classes its first command loaded (the launcher writes it
 * at the exit of the first Spark command after a build, with {@code -Drealign.cds.dump=true}), so
 * after a first run on .npy files a Parquet run loaded and verified parquet-mr's reader and its
 * Thrift classes from the jars every time (about 0.1 s of a 200k-row run on 2 cores). Plans and
 * reads a 16-row file of each format in a temporary directory, deleted after.
 */
public final class ArchivePreload {
  private static final int ROWS = 16;
  private static final int DIM = 8;

  private ArchivePreload() {}

  /** Whether this JVM writes the archive at its exit (set by the launcher). */
  public static boolean requested() {
    return Boolean.getBoolean("realign.cds.dump");
  }

  /** Plans and reads a small .npy and Parquet input; returns the rows read. */
  public static long run(Path tmp) throws IOException {
    Path dir = Files.createTempDirectory(tmp, "realign-preload-");
    Configuration conf = new Configuration();
    float[] rows = dev.realign.report.ReportWarmup.syntheticRows(ROWS, DIM, 0, 5);
    long read = 0;
    try (FileSystem fs = FileSystem.newInstance(dir.toUri(), conf)) {
      fs.setWriteChecksum(false);
      Path npy = Files.createDirectory(dir.resolve("npy"));
      dev.realign.io.Npy.write(npy.resolve("rows.npy"), rows, ROWS, DIM);
      Path parquet = Files.createDirectory(dir.resolve("parquet"));
      try (EmbeddingShardWriter w =
          ShardOutput.PARQUET_FLOAT32.open(
              fs,
              new org.apache.hadoop.fs.Path(parquet.resolve("rows.parquet").toUri()),
              DIM,
              false,
              conf)) {
        RowBatch batch = new RowBatch(DIM, ROWS);
        System.arraycopy(rows, 0, batch.flat, 0, rows.length);
        for (int i = 0; i < ROWS; i++) {
          batch.ids[i] = "preload-" + i;
        }
        batch.size = ROWS;
        ApplyPass.writeBatch(batch, batch.flat, null, w, null);
        w.finish();
      }
      for (Path input : new Path[] {npy, parquet}) {
        EmbeddingSet set =
            EmbeddingSetPlanner.plan(
                new EmbeddingSetPlanner.Spec(
                    "preload",
                    input.toUri().toString(),
                    input == npy ? EmbeddingFormat.NPY : EmbeddingFormat.PARQUET,
                    "",
                    Columns.DEFAULT,
                    1 << 20,
                    0),
                conf);
        for (EmbeddingSplit split : set.splits()) {
          RowBatch batch = SplitSource.newBatch(set);
          try (SplitReader r = SplitSource.open(set, split, conf, new long[0])) {
            while (r.next(batch)) {
              read += batch.size;
            }
          }
        }
      }
    } finally {
      try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
        for (Path f :
            (Iterable<Path>) files.sorted(java.util.Comparator.reverseOrder())::iterator) {
          Files.deleteIfExists(f);
        }
      }
    }
    return read;
  }
}
