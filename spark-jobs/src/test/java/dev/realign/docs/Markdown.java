package dev.realign.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The parts of the user documentation the doc tests read: fenced code blocks (with their info
 * string: a language, then a mode such as {@code cli}, {@code pytest}, {@code norun}, {@code
 * config} or {@code test=PATH}), relative links and headings' anchors (GitHub's rule).
 */
public final class Markdown {
  private Markdown() {}

  /**
   * A fenced code block: where it starts (1-based line of the fence), its info string, its text.
   */
  public record Block(Path file, int line, String lang, List<String> modes, String body) {
    public String where() {
      return file + ":" + line;
    }

    public boolean has(String mode) {
      return modes.contains(mode);
    }

    /** The value of a {@code key=value} mode, or null. */
    public String attr(String key) {
      for (String m : modes) {
        if (m.startsWith(key + "=")) {
          return m.substring(key.length() + 1);
        }
      }
      return null;
    }
  }

  /** A link {@code [text](target)} outside code. */
  public record Link(Path file, int line, String target) {}

  /** README.md and every page under docs/, README first, then the pages by name. */
  public static List<Path> userDocs(Path root) {
    List<Path> files = new ArrayList<>();
    files.add(root.resolve("README.md"));
    try (Stream<Path> s = Files.list(root.resolve("docs"))) {
      s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
    } catch (IOException e) {
      throw new UncheckedIOException("Unreadable docs/ under " + root, e);
    }
    return files;
  }

  static List<String> lines(Path file) {
    try {
      return Files.readAllLines(file);
    } catch (IOException e) {
      throw new UncheckedIOException("Unreadable " + file, e);
    }
  }

  private static final Pattern FENCE = Pattern.compile("^(\\s*)(```+)(.*)$");

  public static List<Block> blocks(Path file) {
    List<String> lines = lines(file);
    List<Block> out = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      Matcher m = FENCE.matcher(lines.get(i));
      if (!m.matches()) {
        continue;
      }
      String indent = m.group(1);
      String fence = m.group(2);
      String[] info = m.group(3).strip().split("\\s+");
      StringBuilder body = new StringBuilder();
      int j = i + 1;
      while (j < lines.size() && !lines.get(j).strip().equals(fence)) {
        String l = lines.get(j);
        body.append(l.startsWith(indent) ? l.substring(indent.length()) : l.strip()).append('\n');
        j++;
      }
      if (j == lines.size()) {
        throw new IllegalStateException("Unclosed code fence at " + file + ":" + (i + 1));
      }
      out.add(
          new Block(
              file,
              i + 1,
              info[0],
              info.length > 1 ? List.of(info).subList(1, info.length) : List.of(),
              body.toString()));
      i = j;
    }
    return out;
  }

  private static final Pattern LINK = Pattern.compile("!?\\[[^\\]]*\\]\\(([^)\\s]+)\\)");

  /** Links outside fenced blocks and inline code; web and mail links excluded. */
  public static List<Link> relativeLinks(Path file) {
    List<Link> out = new ArrayList<>();
    boolean inFence = false;
    List<String> lines = lines(file);
    for (int i = 0; i < lines.size(); i++) {
      String l = lines.get(i);
      if (FENCE.matcher(l).matches()) {
        inFence = !inFence;
        continue;
      }
      if (inFence) {
        continue;
      }
      Matcher m = LINK.matcher(l.replaceAll("`[^`]*`", "``"));
      while (m.find()) {
        String target = m.group(1);
        if (!target.matches("^[a-zA-Z][a-zA-Z+.-]*:.*")) {
          out.add(new Link(file, i + 1, target));
        }
      }
    }
    return out;
  }

  /** The anchors GitHub gives the headings of a file (duplicates get -1, -2, ...). */
  public static Set<String> anchors(Path file) {
    Set<String> out = new LinkedHashSet<>();
    boolean inFence = false;
    for (String l : lines(file)) {
      if (FENCE.matcher(l).matches()) {
        inFence = !inFence;
        continue;
      }
      if (!inFence && l.matches("^#{1,6} .*")) {
        String slug = slug(l.replaceFirst("^#{1,6} ", ""));
        String unique = slug;
        for (int n = 1; out.contains(unique); n++) {
          unique = slug + "-" + n;
        }
        out.add(unique);
      }
    }
    return out;
  }

  /** GitHub's heading anchor: lower case, punctuation other than - and _ dropped, spaces to -. */
  public static String slug(String heading) {
    String text = heading.strip().replaceAll("\\[([^\\]]*)\\]\\([^)]*\\)", "$1");
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < text.length(); ) {
      int c = text.codePointAt(i);
      i += Character.charCount(c);
      if (Character.isLetterOrDigit(c) || c == '-' || c == '_') {
        b.appendCodePoint(c);
      } else if (c == ' ') {
        b.append('-');
      }
    }
    return b.toString().toLowerCase(Locale.ROOT);
  }
}
