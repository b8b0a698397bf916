package dev.realign.source;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Lists the files of a corpus input, in a deterministic order (by relative path, {@code /}
 * separated, compared as strings), so splits and generated ids never depend on the file system's
 * listing order.
 *
 * <ul>
 *   <li>a file: itself; its relative path is its name;
 *   <li>a directory: every regular file below it, recursively, except names starting with {@code .}
 *       or {@code _} (checksums, {@code _SUCCESS}, {@code _manifest.json}); relative paths are
 *       taken from the directory;
 *   <li>a glob ({@code *}, {@code ?}, {@code [..]}, {@code {a,b}}; {@code **} crosses folders):
 *       matched against paths relative to the longest folder prefix without glob characters, which
 *       is also the root for relative paths.
 * </ul>
 *
 * A missing path, or one that matches nothing, fails with a message naming it.
 */
public final class CorpusFiles {
  private static final String GLOB_CHARS = "*?[{";

  private CorpusFiles() {}

  /** The files of {@code rootOrGlob}, each format detected from its name. */
  public static List<CorpusFile> list(String rootOrGlob) {
    return list(rootOrGlob, null);
  }

  /** The files of {@code rootOrGlob}; {@code format} null = detect from each file name. */
  public static List<CorpusFile> list(String rootOrGlob, CorpusFormat format) {
    if (rootOrGlob == null || rootOrGlob.isBlank()) {
      throw new IllegalArgumentException(
          "Invalid input path: \"" + rootOrGlob + "\" (must be a file, a folder or a glob)");
    }
    int firstGlob = firstGlobChar(rootOrGlob);
    List<String[]> found = new ArrayList<>(); // {absolute path, relative path}
    Path root;
    if (firstGlob < 0) {
      Path p = Path.of(rootOrGlob).toAbsolutePath().normalize();
      if (!Files.exists(p)) {
        throw new IllegalArgumentException("Input path does not exist: " + rootOrGlob);
      }
      if (Files.isRegularFile(p)) {
        return List.of(file(p, p.getFileName().toString(), format));
      }
      root = p;
      walk(root, null, found);
      if (found.isEmpty()) {
        throw new IllegalArgumentException(
            "No corpus files under " + rootOrGlob + " (names starting with . or _ are skipped)");
      }
    } else {
      int slash = rootOrGlob.lastIndexOf('/', firstGlob);
      String base = slash < 0 ? "." : (slash == 0 ? "/" : rootOrGlob.substring(0, slash));
      String pattern = rootOrGlob.substring(slash + 1);
      root = Path.of(base).toAbsolutePath().normalize();
      if (!Files.isDirectory(root)) {
        throw new IllegalArgumentException(
            "Input path does not exist: " + base + " (the folder of glob " + rootOrGlob + ")");
      }
      walk(root, FileSystems.getDefault().getPathMatcher("glob:" + pattern), found);
      if (found.isEmpty()) {
        throw new IllegalArgumentException("No files match " + rootOrGlob);
      }
    }
    found.sort(Comparator.comparing(f -> f[1]));
    List<CorpusFile> files = new ArrayList<>(found.size());
    for (String[] f : found) {
      files.add(file(Path.of(f[0]), f[1], format));
    }
    return files;
  }

  private static CorpusFile file(Path path, String relative, CorpusFormat format) {
    if (format == null) {
      return CorpusFile.of(path, relative);
    }
    return new CorpusFile(
        path, relative, format, CorpusFormat.isGzip(path.getFileName().toString()));
  }

  private static void walk(Path root, PathMatcher matcher, List<String[]> out) {
    try (Stream<Path> s = Files.walk(root)) {
      s.filter(Files::isRegularFile)
          .forEach(
              p -> {
                Path rel = root.relativize(p);
                for (Path part : rel) {
                  String n = part.toString();
                  if (n.startsWith(".") || n.startsWith("_")) {
                    return;
                  }
                }
                if (matcher == null || matcher.matches(rel)) {
                  out.add(new String[] {p.toString(), slashes(rel)});
                }
              });
    } catch (IOException | UncheckedIOException e) {
      throw new IllegalArgumentException(
          "Cannot list input path " + root + ": " + e.getMessage(), e);
    }
  }

  private static String slashes(Path rel) {
    StringBuilder sb = new StringBuilder();
    for (Path part : rel) {
      if (sb.length() > 0) {
        sb.append('/');
      }
      sb.append(part);
    }
    return sb.toString();
  }

  private static int firstGlobChar(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (GLOB_CHARS.indexOf(s.charAt(i)) >= 0) {
        return i;
      }
    }
    return -1;
  }
}
