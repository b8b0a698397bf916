package dev.realign.job;

import dev.realign.source.CorpusFile;
import dev.realign.source.CorpusFiles;
import dev.realign.source.CorpusFormat;
import dev.realign.source.CorpusSplit;
import dev.realign.source.CorpusSplitPlanner;
import dev.realign.source.HadoopFiles;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.broadcast.Broadcast;

/**
 * The splits of an encode job: the corpus files in sorted order of their relative paths, each cut
 * by {@link CorpusSplitPlanner} into splits of about {@code encode.split_bytes}. When a line file
 * is cut, a first Spark job counts the lines that start in each byte range (a byte scan, in
 * parallel), so every split knows the global number of its first line.
 */
final class EncodePlan {
  private EncodePlan() {}

  /** The files, one whole-file split each. */
  static List<CorpusSplit> files(JobContext ctx, String input, String format) {
    CorpusFormat forced =
        format.equals("auto") ? null : CorpusFormat.valueOf(format.toUpperCase(Locale.ROOT));
    List<CorpusSplit> splits = new ArrayList<>();
    String scheme = new org.apache.hadoop.fs.Path(input).toUri().getScheme();
    if (scheme == null || scheme.equals("file")) {
      String local =
          scheme == null ? input : new org.apache.hadoop.fs.Path(input).toUri().getPath();
      for (CorpusFile f :
          forced == null ? CorpusFiles.list(local) : CorpusFiles.list(local, forced)) {
        splits.add(
            CorpusSplit.whole(
                splits.size(),
                f.path().toUri().toString(),
                f.relativePath(),
                f.format(),
                f.gzip()));
      }
      return splits;
    }
    for (String file :
        HadoopFiles.listInputs(
            input,
            ctx.jsc.hadoopConfiguration(),
            name -> forced != null || detects(name),
            "text corpus")) {
      String name = new org.apache.hadoop.fs.Path(file).getName();
      splits.add(
          CorpusSplit.whole(
              splits.size(),
              file,
              name,
              forced != null ? forced : CorpusFormat.detect(name),
              CorpusFormat.isGzip(name)));
    }
    return splits;
  }

  /** The splits of {@code files}, numbered; prints what was cut and what stays whole. */
  static List<CorpusSplit> cut(JobContext ctx, List<CorpusSplit> files, long splitBytes) {
    Configuration hadoop = ctx.jsc.hadoopConfiguration();
    List<CorpusSplit> cut = CorpusSplitPlanner.cut(files, splitBytes, hadoop);
    if (CorpusSplitPlanner.needsLineCounts(cut)) {
      Broadcast<SerializableHadoopConf> conf = ctx.hadoopConf;
      List<CorpusSplit> ranges =
          cut.stream().filter(s -> s.kind() == CorpusSplit.Kind.BYTES).toList();
      ctx.jsc.setJobDescription(
          "realign: encode, counting the lines of " + ranges.size() + " byte ranges");
      List<Long> counts =
          ctx.jsc
              .parallelize(ranges, ranges.size())
              .map(s -> CorpusSplitPlanner.countLines(s, conf.value().get()))
              .collect();
      long[] lines = new long[cut.size()];
      for (int r = 0; r < ranges.size(); r++) {
        lines[ranges.get(r).index()] = counts.get(r);
      }
      cut = CorpusSplitPlanner.numberLines(cut, lines);
    }
    List<String> gz =
        files.stream().filter(CorpusSplit::gzip).map(CorpusSplit::relativePath).toList();
    if (!gz.isEmpty()) {
      Console.info(
          "encode: %d .gz file(s) read whole by one task each (gzip cannot be cut): %s",
          gz.size(), gz.size() <= 5 ? gz : gz.subList(0, 5) + " ...");
    }
    if (cut.size() > files.size()) {
      Console.info(
          "encode: %d file(s) cut into %d splits of up to %,d bytes (encode.split_bytes)",
          files.size(), cut.size(), splitBytes);
    }
    return cut;
  }

  private static boolean detects(String name) {
    try {
      return CorpusFormat.detect(name) != null;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
