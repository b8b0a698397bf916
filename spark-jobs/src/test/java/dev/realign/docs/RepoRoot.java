package dev.realign.docs;

import java.nio.file.Files;
import java.nio.file.Path;

/** The repository root (the directory holding README.md and spark-jobs/), from any module. */
public final class RepoRoot {
  private RepoRoot() {}

  public static Path find() {
    Path root = Path.of("").toAbsolutePath();
    while (root != null
        && !(Files.isRegularFile(root.resolve("README.md"))
            && Files.isDirectory(root.resolve("spark-jobs")))) {
      root = root.getParent();
    }
    if (root == null) {
      throw new IllegalStateException(
          "Missing repository root: no README.md beside spark-jobs/ above "
              + Path.of("").toAbsolutePath());
    }
    return root;
  }
}
