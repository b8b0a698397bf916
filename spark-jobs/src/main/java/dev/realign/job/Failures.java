package dev.realign.job;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One line for a failure: the most specific message realign wrote, followed by every cause that
 * adds something ("Cannot prepare output directory /x: /x: Permission denied"). Spark's wrappers
 * ("Job aborted due to stage failure", with a task's stack trace inside) are skipped: their text
 * repeats the cause and its stack.
 */
public final class Failures {
  /** A "java.io.IOException: " prefix that Hadoop and Spark put in front of a cause's message. */
  private static final Pattern CLASS_PREFIX =
      Pattern.compile("^([a-zA-Z_$][\\w$]*\\.)+[\\w$]*(Exception|Error)(: )?");

  private Failures() {}

  /** The message of {@code e} and of its causes, de-duplicated, on one line. */
  public static String oneLine(Throwable e) {
    List<Throwable> chain = chain(e);
    int first = 0;
    while (first < chain.size() - 1 && isWrapper(chain.get(first))) {
      first++;
    }
    return join(chain.subList(first, chain.size()));
  }

  /** The messages of {@code e} and its causes joined with ": ", each once. */
  public static String causes(Throwable e) {
    return join(chain(e));
  }

  private static String join(List<Throwable> chain) {
    StringBuilder out = new StringBuilder();
    for (Throwable t : chain) {
      String m = message(t);
      if (m.isEmpty() || out.indexOf(m) >= 0) {
        continue;
      }
      if (out.length() > 0) {
        out.append(": ");
      }
      out.append(m);
    }
    return out.length() > 0 ? out.toString() : chain.get(0).getClass().getName();
  }

  private static List<Throwable> chain(Throwable e) {
    List<Throwable> out = new ArrayList<>();
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Throwable t = e; t != null && seen.add(t); t = t.getCause()) {
      out.add(t);
    }
    return out;
  }

  /** The first line of a message without a leading class name; a bare class name when none. */
  static String message(Throwable t) {
    String m = t.getMessage();
    if (m == null || m.isBlank()) {
      return t.getCause() == null ? t.getClass().getSimpleName() : "";
    }
    int nl = m.indexOf('\n');
    String line = (nl >= 0 ? m.substring(0, nl) : m).trim();
    return CLASS_PREFIX.matcher(line).replaceFirst("").trim();
  }

  private static boolean isWrapper(Throwable t) {
    String name = t.getClass().getName();
    return name.startsWith("org.apache.spark.")
        || name.startsWith("scala.")
        || t instanceof java.util.concurrent.ExecutionException
        || t instanceof java.lang.reflect.InvocationTargetException;
  }
}
