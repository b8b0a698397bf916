package dev.realign;

/** Preconditions in the project's one message style: "Invalid X: value (must be ...)". */
public final class Checks {
  private Checks() {}

  public static void checkArgument(boolean ok, String format, Object... args) {
    if (!ok) {
      throw new IllegalArgumentException(String.format(java.util.Locale.ROOT, format, args));
    }
  }

  public static void checkState(boolean ok, String format, Object... args) {
    if (!ok) {
      throw new IllegalStateException(String.format(java.util.Locale.ROOT, format, args));
    }
  }

  public static int checkDimension(int dim) {
    checkArgument(dim > 0, "Invalid dimension: %s (must be > 0)", dim);
    return dim;
  }
}
