package dev.realign.job;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** The commit plan {@code output.commit = auto} picks, for tests outside the package. */
public final class CommitPlanProbe {
  private CommitPlanProbe() {}

  public static String declared(FileSystem fs, String dir) {
    return CommitPlan.declared(fs, new Path(dir)).name();
  }
}
