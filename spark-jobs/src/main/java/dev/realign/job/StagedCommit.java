package dev.realign.job;

import dev.realign.sink.ShardInfo;
import dev.realign.sink.ShardManifest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Publishes staged shards: moves each into the shard directory, removes shards of earlier runs that
 * the new manifest does not list, writes {@code _manifest.json} last (atomically), then drops the
 * staging directory. A crash at any point leaves no manifest, or the old one with its shards intact
 * up to the moment the new shards are moved.
 */
final class StagedCommit {
  private StagedCommit() {}

  static void commit(FileSystem fs, Path dir, Path staging, ShardManifest manifest) {
    try {
      Path manifestPath = new Path(dir, "_manifest.json");
      // Names come from completion records too: each must stay in this directory, checked before
      // anything is deleted or moved.
      for (ShardInfo s : manifest.shards()) {
        ShardInfo.requirePlainName(s.name(), "the shards to commit in " + dir);
      }
      // The old manifest goes first: from here on the directory is not a committed dataset.
      fs.delete(manifestPath, false);
      Set<String> names = new HashSet<>();
      for (ShardInfo s : manifest.shards()) {
        names.add(s.name());
        Path staged = new Path(staging, s.name());
        Path target = new Path(dir, s.name());
        if (fs.exists(staged)) {
          dev.realign.sink.AtomicFiles.publish(fs, staged, target);
        } else if (!fs.exists(target)) {
          throw new IllegalStateException(
              "Shard "
                  + s.name()
                  + " is neither staged in "
                  + staging
                  + " nor committed in "
                  + dir);
        }
      }
      for (FileStatus st : fs.listStatus(dir)) {
        String n = st.getPath().getName();
        if (st.isFile() && n.startsWith("part-") && !names.contains(n)) {
          fs.delete(st.getPath(), false);
        }
      }
      for (ShardInfo s : manifest.shards()) {
        long len = fs.getFileStatus(new Path(dir, s.name())).getLen();
        if (len != s.bytes()) {
          throw new IllegalStateException(
              "Shard " + s.name() + ": size expected " + s.bytes() + " bytes, actual " + len);
        }
      }
      manifest.write(fs, manifestPath);
      fs.delete(staging, true);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot commit shards in " + dir, e);
    }
  }

  static List<ShardInfo> shards(List<ShardResult> results) {
    return results.stream().map(ShardResult::shard).toList();
  }
}
