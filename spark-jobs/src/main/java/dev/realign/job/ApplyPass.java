package dev.realign.job;

import dev.realign.align.AlignmentKernel;
import dev.realign.sink.EmbeddingShardWriter;
import dev.realign.sink.OutputLayout;
import dev.realign.sink.ShardInfo;
import dev.realign.sink.ShardManifest;
import dev.realign.sink.ShardOutput;
import dev.realign.source.EmbeddingSet;
import dev.realign.source.EmbeddingSplit;
import dev.realign.source.HadoopFiles;
import dev.realign.source.RowBatch;
import dev.realign.source.SplitReader;
import dev.realign.stats.MomentSketch;
import dev.realign.stats.SketchCodec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSError;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.LongAccumulator;

/**
 * Writes one shard per input split from the executors (parquet-hadoop, no shuffle, no Spark row
 * conversion): split k becomes {@code aligned/_staging/part-k-of-M.parquet} plus a completion
 * record. A shard whose completion record verifies (same transform, same SHA-256) is kept when
 * resuming. Committing is the driver's job ({@link StagedCommit}).
 */
final class ApplyPass {
  private ApplyPass() {}

  /** Per-batch work of a pass that writes shards: align, or copy unchanged. */
  interface RowFunction extends java.io.Serializable {
    /**
     * Writes the batch's rows into {@code out} (row i at {@code i d}) and sets {@code accepted[i]}
     * for each row written; rows with a reason in {@code batch.reasons} are never accepted.
     *
     * @param scratch {@link #scratchSize} doubles owned by the calling thread
     */
    void apply(RowBatch batch, float[] out, boolean[] accepted, double[] scratch);

    /** The scratch {@link #apply} needs, in doubles. */
    default int scratchSize(int dim) {
      return 0;
    }

    /** Whether outputs are unit vectors whose exact sketch (the centroid after) is wanted. */
    default boolean sketchesOutput() {
      return true;
    }

    /**
     * Whether every accepted row is written as read: then the pass writes it from the batch and
     * never calls {@link #apply}, and a row is accepted when it has no reject reason.
     */
    default boolean unchanged() {
      return false;
    }
  }

  /** Aligns a batch through {@link AlignmentKernel#applyBatch} (two rows at a time). */
  static RowFunction align(AlignmentKernel kernel) {
    return new RowFunction() {
      private static final long serialVersionUID = 1L;

      @Override
      public void apply(RowBatch batch, float[] out, boolean[] accepted, double[] scratch) {
        for (int i = 0; i < batch.size; i++) {
          accepted[i] = batch.reasons[i] == null;
        }
        // Rows already rejected are aligned too (their floats are whatever the reader left) and
        // stay rejected: one call keeps the kernel's two-row loop going.
        kernel.applyBatch(
            batch.flat, 0, batch.size, out, 0, scratch, (row, reason) -> accepted[row] = false);
      }

      @Override
      public int scratchSize(int dim) {
        return kernel.newScratch().length;
      }
    };
  }

  /** Copies rows unchanged (NaN and zero rows too: only structural rejects are dropped). */
  static RowFunction copy() {
    return new RowFunction() {
      private static final long serialVersionUID = 1L;

      @Override
      public void apply(RowBatch batch, float[] out, boolean[] accepted, double[] scratch) {
        System.arraycopy(batch.flat, 0, out, 0, batch.size * batch.dim);
        for (int i = 0; i < batch.size; i++) {
          accepted[i] = batch.reasons[i] == null;
        }
      }

      @Override
      public boolean sketchesOutput() {
        return false;
      }

      @Override
      public boolean unchanged() {
        return true;
      }
    };
  }

  static List<ShardResult> run(
      JobContext ctx,
      EmbeddingSet set,
      long[] duplicates,
      RowFunction function,
      String transformSha256,
      boolean resume,
      String stage) {
    int failSplit = FaultSeam.split(FaultSeam.FAIL_APPLY_SPLIT);
    String[] hold = FaultSeam.hold();
    Broadcast<SerializableHadoopConf> conf = ctx.hadoopConf;
    Broadcast<long[]> dups = ctx.jsc.broadcast(duplicates);
    Broadcast<RowFunction> fn = ctx.jsc.broadcast(function);
    OutputLayout layout = ctx.layout;
    int splitCount = set.splits().size();
    ShardOutput output = ShardOutput.fromConfig(ctx.config);
    String completionKey = output.completionKey(transformSha256);
    boolean direct = CommitPlan.of(ctx.fs, layout.aligned(), ctx.config) == CommitPlan.DIRECT;
    if (direct) {
      retireManifest(ctx.fs, layout); // shards are about to change under their final names
    }
    ctx.jsc.setJobDescription("realign: " + stage);
    try (ProgressReporter progress =
        new ProgressReporter(ctx.jsc, stage, set.rows(), ctx.progressInterval())) {
      LongAccumulator counter = progress.counter();
      JavaRDD<ShardResult> results =
          ctx.jsc
              .parallelize(set.splits(), splitCount)
              .map(
                  split -> {
                    FaultSeam.await(hold, split.index());
                    return shardOf(
                        set,
                        split,
                        splitCount,
                        layout,
                        conf.value().get(),
                        dups.value(),
                        fn.value(),
                        output,
                        completionKey,
                        resume,
                        failSplit,
                        counter,
                        direct);
                  });
      List<ShardResult> out =
          new java.util.ArrayList<>(results.persist(StorageLevel.MEMORY_ONLY()).collect());
      results.unpersist(false);
      out.sort(Comparator.comparingInt(ShardResult::split));
      if (function.sketchesOutput()) {
        AlignedSketch.write(ctx, transformSha256, out, set.dim()); // the report's exact "after"
      }
      progress.finish();
      return out;
    }
  }

  /** The manifest of an earlier run goes before any shard changes under its final name. */
  private static void retireManifest(FileSystem fs, OutputLayout layout) {
    retireManifest(fs, layout.manifest());
  }

  /** Deletes {@code manifest} before shards change under their final names (direct plan). */
  static void retireManifest(FileSystem fs, Path manifest) {
    try {
      fs.delete(manifest, false);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot delete " + manifest, e);
    }
  }

  /**
   * One split's shard. With {@code direct} ({@link CommitPlan#DIRECT}) the shard is written once
   * under its final name in {@code aligned/} and never renamed; otherwise under a temporary name,
   * renamed into {@code _staging/}.
   */
  static ShardResult shardOf(
      EmbeddingSet set,
      EmbeddingSplit split,
      int splitCount,
      OutputLayout layout,
      Configuration conf,
      long[] duplicates,
      RowFunction fn,
      ShardOutput output,
      String completionKey,
      boolean resume,
      int failSplit,
      LongAccumulator counter,
      boolean direct) {
    String name = output.shardName(split.index(), splitCount);
    // A completion record holds for this split's rows only: a shard of another plan (an older
    // version's cut of the same file) is written again rather than kept.
    String key = completionKey + " " + split.file() + "#" + split.firstRow() + "+" + split.rows();
    Path staged = direct ? new Path(layout.aligned(), name) : new Path(layout.staging(), name);
    Path done = new Path(layout.staging(), name + ".done.json");
    FileSystem fs = HadoopFiles.fs(staged, conf);
    if (resume) {
      ShardResult kept =
          verifiedCompletion(
              fs, layout.staging(), layout.aligned(), name, split.index(), done, key);
      if (kept != null) {
        counter.add(split.rows());
        return kept;
      }
    }
    int dim = set.dim();
    Path tmp =
        direct
            ? staged
            : new Path(layout.staging(), "." + name + ".tmp-" + java.util.UUID.randomUUID());
    MomentSketch outSketch = new MomentSketch(dim);
    long rejected = 0;
    boolean sketches = fn.sketchesOutput();
    boolean unchanged = fn.unchanged();
    ShardInfo info;
    RowBatch batch = SplitSource.newBatch(set);
    float[] out = unchanged ? null : new float[batch.capacity * dim];
    boolean[] accepted = new boolean[batch.capacity];
    double[] scratch = new double[fn.scratchSize(dim)];
    // Whether a failure comes from the shard's writer (named as such) or from reading the input.
    boolean writing = false;
    try (SplitReader reader = SplitSource.open(set, split, conf, duplicates);
        EmbeddingShardWriter writer = openWriter(output, fs, tmp, set, name, split, staged, conf)) {
      while (reader.next(batch)) {
        if (!unchanged) {
          fn.apply(batch, out, accepted, scratch);
        }
        writing = true;
        rejected +=
            writeBatch(
                batch,
                unchanged ? batch.flat : out,
                unchanged ? null : accepted,
                writer,
                sketches ? outSketch : null);
        writing = false;
        counter.add(batch.size);
      }
      writing = true;
      info = writer.finish();
      writing = false;
    } catch (UncheckedIOException | FSError e) {
      if (!writing) {
        throw e;
      }
      throw shardWriteFailure(set, name, split, staged, e);
    }
    if (!direct) {
      dev.realign.sink.AtomicFiles.publish(fs, tmp, staged);
    }
    ShardResult result =
        new ShardResult(
            split.index(),
            new ShardInfo(name, info.rows(), info.bytes(), info.sha256()),
            rejected,
            key,
            SketchCodec.encode(outSketch.snapshot()));
    if (direct) {
      // The manifest was retired before the tasks started: if one is there now, the run has
      // committed and this is a late (speculative or zombie) attempt. Its shard bytes are the
      // committed ones; it must not recreate _staging/ inside the committed dataset.
      if (!exists(fs, layout.manifest())) {
        writeWhole(fs, done, result.toJson()); // one PUT: whole or absent, no rename
      }
    } else {
      ShardManifest.writeAtomically(fs, done, result.toJson());
    }
    if (split.index() == failSplit) {
      throw FaultSeam.injected(name, FaultSeam.FAIL_APPLY_SPLIT, failSplit);
    }
    return result;
  }

  static boolean exists(FileSystem fs, Path p) {
    try {
      return fs.exists(p);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot check " + p, e);
    }
  }

  /** Writes a small file in one create (object stores publish it whole when it is closed). */
  static void writeWhole(FileSystem fs, Path path, String content) {
    try (java.io.OutputStream out = fs.create(path, true)) {
      out.write(content.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + path, e);
    }
  }

  /**
   * Writes the accepted rows of a batch ({@code accepted} null: the rows without a reject reason)
   * from {@code rows} and adds each, as written, to {@code sketch} (when not null): exact, the
   * floats widened. Returns the rows not written. A method of its own, called once a batch, so that
   * the JIT compiles this small loop and leaves {@link #shardOf} (which would otherwise inline the
   * reader, the kernel and the writer into one method that took C2 0.4 s of a 2 s stage)
   * interpreted.
   */
  static long writeBatch(
      RowBatch batch,
      float[] rows,
      boolean[] accepted,
      EmbeddingShardWriter writer,
      MomentSketch sketch) {
    int dim = batch.dim;
    long rejected = 0;
    for (int i = 0; i < batch.size; i++) {
      if (accepted == null ? batch.reasons[i] == null : accepted[i]) {
        int at = i * dim;
        writer.write(batch.ids[i], batch.texts[i], rows, at);
        if (sketch != null) {
          sketch.addUnit(rows, at);
        }
      } else {
        rejected++;
      }
    }
    return rejected;
  }

  private static EmbeddingShardWriter openWriter(
      ShardOutput output,
      FileSystem fs,
      Path tmp,
      EmbeddingSet set,
      String name,
      EmbeddingSplit split,
      Path staged,
      Configuration conf) {
    try {
      return output.open(fs, tmp, set.dim(), set.hasText(), conf);
    } catch (UncheckedIOException | FSError e) {
      throw shardWriteFailure(set, name, split, staged, e);
    }
  }

  /**
   * A full disk surfaces as Hadoop's FSError (an Error) from the local file system, as an
   * IOException elsewhere: either way the driver's one line names the shard, its path and the
   * cause.
   */
  private static UncheckedIOException shardWriteFailure(
      EmbeddingSet set, String name, EmbeddingSplit split, Path staged, Throwable e) {
    return new UncheckedIOException(
        new IOException(
            "Cannot write shard "
                + name
                + " of "
                + set.role()
                + " split "
                + split.index()
                + " to "
                + staged
                + ": "
                + Failures.causes(e),
            e));
  }

  /**
   * The completion record of a shard if it and the shard file (staged or committed) verify, else
   * null (the split is written again). A record that does not parse or whose checksum fails is
   * damaged and ignored; one that parses but names another shard than its split's, or a path, is
   * refused: the commit would move and delete the file it names.
   */
  static ShardResult verifiedCompletion(
      FileSystem fs,
      Path staging,
      Path committed,
      String name,
      int split,
      Path done,
      String transformSha256) {
    ShardResult r;
    try {
      if (!fs.exists(done)) {
        return null;
      }
      try (InputStream in = fs.open(done)) {
        r = ShardResult.fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
    } catch (IOException | IllegalArgumentException e) {
      return null;
    }
    if (!r.shard().name().equals(name) || r.split() != split) {
      throw new IllegalArgumentException(
          "Invalid completion record "
              + done
              + ": shard '"
              + r.shard().name()
              + "' of split "
              + r.split()
              + " (must be '"
              + name
              + "' of split "
              + split
              + "; remove the record to write the split again)");
    }
    if (r.rejectFile() != null) {
      ShardInfo.requireRelativeName(r.rejectFile().name(), "completion record " + done);
    }
    if (!r.transformSha256().equals(transformSha256)) {
      return null;
    }
    try {
      for (Path p : new Path[] {new Path(staging, name), new Path(committed, name)}) {
        if (isPlainFile(fs, p) && ShardManifest.sha256(fs, p).equals(r.shard().sha256())) {
          return r;
        }
      }
      return null;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** A regular file, not a symbolic link (one could point out of the output directory). */
  static boolean isPlainFile(FileSystem fs, Path p) throws IOException {
    // Hadoop's local file systems report a link as the file it points to (symlinks are off by
    // default): ask the JVM, without following links.
    java.io.File local = dev.realign.source.HadoopFiles.localFile(fs, p);
    if (local != null) {
      return java.nio.file.Files.isRegularFile(
          local.toPath(), java.nio.file.LinkOption.NOFOLLOW_LINKS);
    }
    if (!fs.exists(p)) {
      return false;
    }
    org.apache.hadoop.fs.FileStatus st = fs.getFileLinkStatus(p);
    return st.isFile() && !st.isSymlink();
  }
}
