package dev.realign.job;

import dev.realign.sink.ShardInfo;
import dev.realign.sink.ShardManifest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Publishes staged shards: moves each into the shard directory, removes shards of earlier runs that
 * the new manifest does not list, writes {@code _manifest.json} last (atomically), then drops the
 * staging directory. The old manifest is deleted just before the first change to a shard it lists
 * (not up front): a crash leaves no manifest, or the old one with its shards intact. Shards written
 * straight under their final names (object stores, {@link CommitPlan}) are not staged and are only
 * checked here.
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
      // The old manifest stays the commit point until the first step that changes a file it
      // lists; only then is it deleted (a resume that changes nothing keeps it throughout).
      Map<String, String> listed = new HashMap<>();
      if (fs.exists(manifestPath)) {
        try {
          for (ShardInfo s : ShardManifest.read(fs, manifestPath).shards()) {
            listed.put(s.name(), s.sha256());
          }
        } catch (RuntimeException unreadable) {
          fs.delete(manifestPath, false);
        }
      }
      boolean retired = false;
      Set<String> names = new HashSet<>();
      for (ShardInfo s : manifest.shards()) {
        names.add(s.name());
        Path staged = new Path(staging, s.name());
        Path target = new Path(dir, s.name());
        if (fs.exists(staged)) {
          if (!s.sha256().equals(listed.get(s.name()))) {
            retired = retire(fs, manifestPath, listed, s.name(), retired);
          }
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
          retired = retire(fs, manifestPath, listed, n, retired);
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
      if (CommitPlan.declared(fs, dir) == CommitPlan.DIRECT) {
        // One create-only PUT (If-None-Match: * where the store honours it): no rename, which
        // would be a copy, and a run that committed meanwhile is not overwritten.
        fs.delete(manifestPath, false);
        if (!OutputLease.createNew(
            fs, manifestPath, manifest.toJson().getBytes(StandardCharsets.UTF_8))) {
          throw new IllegalStateException(
              "Cannot publish "
                  + manifestPath
                  + ": another run published a manifest there during this commit");
        }
      } else {
        manifest.write(fs, manifestPath);
      }
      fs.delete(staging, true);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot commit shards in " + dir, e);
    }
  }

  /** Deletes the old manifest before the first change to a shard it lists; returns retired. */
  private static boolean retire(
      FileSystem fs, Path manifestPath, Map<String, String> listed, String shard, boolean retired)
      throws IOException {
    if (!retired && listed.containsKey(shard)) {
      fs.delete(manifestPath, false);
      return true;
    }
    return retired;
  }

  static List<ShardInfo> shards(List<ShardResult> results) {
    return results.stream().map(ShardResult::shard).toList();
  }
}
