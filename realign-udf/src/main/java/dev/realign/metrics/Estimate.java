package dev.realign.metrics;

import static dev.realign.Checks.checkArgument;

/**
 * A figure computed on {@code used} of {@code available} units (queries or pairs), with its
 * standard error. When every unit is used the figure is exact for the sample and the standard error
 * is 0.
 *
 * @param value the figure
 * @param standardError the estimated standard deviation of {@code value} over the choice of units
 *     (0 when exact)
 * @param used units the figure was computed from (queries, or pairs)
 * @param available units that exist in the sample
 */
public record Estimate(double value, double standardError, long used, long available) {
  public Estimate {
    checkArgument(
        used >= 0 && used <= available,
        "Invalid estimate: %s of %s units (must be in" + " [0, available])",
        used,
        available);
    checkArgument(
        standardError >= 0 || Double.isNaN(standardError),
        "Invalid standard error: %s" + " (must be >= 0)",
        standardError);
  }

  /** An exact figure over all {@code n} units. */
  public static Estimate exact(double value, long n) {
    return new Estimate(value, 0.0, n, n);
  }

  public boolean isExact() {
    return used == available;
  }

  /** The same estimate scaled by {@code c} (value and standard error). */
  public Estimate times(double c) {
    return new Estimate(value * c, standardError * Math.abs(c), used, available);
  }
}
