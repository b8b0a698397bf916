package dev.realign.report;

import java.util.Locale;

/**
 * A tiny SVG plot builder for the self-contained HTML report: one plot area with linear or log10
 * axes, tick labels, polylines, step lines and points. No scripts, no external references.
 */
final class Svg {
  static final int LEFT = 62;
  static final int RIGHT = 14;
  static final int TOP = 42;
  static final int BOTTOM = 44;

  private final StringBuilder out = new StringBuilder();
  private final int width;
  private final int height;
  private final double x0;
  private final double x1;
  private final double y0;
  private final double y1;
  private final boolean logX;
  private final boolean logY;

  /** Data ranges are in data units (positive for log axes). */
  Svg(
      int width,
      int height,
      String title,
      double x0,
      double x1,
      boolean logX,
      double y0,
      double y1,
      boolean logY,
      String xLabel,
      String yLabel) {
    this.width = width;
    this.height = height;
    this.logX = logX;
    this.logY = logY;
    this.x0 = t(x0, logX);
    this.x1 = t(x1, logX) == t(x0, logX) ? t(x0, logX) + 1 : t(x1, logX);
    this.y0 = t(y0, logY);
    this.y1 = t(y1, logY) == t(y0, logY) ? t(y0, logY) + 1 : t(y1, logY);
    out.append(
        String.format(
            Locale.ROOT,
            "<svg width=\"%d\""
                + " height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s\">",
            width,
            height,
            width,
            height,
            esc(title)));
    out.append(
        String.format(
            Locale.ROOT,
            "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\"" + " fill=\"#fff\"/>",
            width,
            height));
    out.append(
        String.format(
            Locale.ROOT,
            "<text x=\"%d\" y=\"18\" font-size=\"13\"" + " font-weight=\"bold\">%s</text>",
            LEFT,
            esc(title)));
    axes(xLabel, yLabel);
  }

  private static double t(double v, boolean log) {
    return log ? Math.log10(v) : v;
  }

  double px(double x) {
    return LEFT + (t(x, logX) - x0) / (x1 - x0) * (width - LEFT - RIGHT);
  }

  double py(double y) {
    return height - BOTTOM - (t(y, logY) - y0) / (y1 - y0) * (height - TOP - BOTTOM);
  }

  private void axes(String xLabel, String yLabel) {
    int pw = width - LEFT - RIGHT;
    int ph = height - TOP - BOTTOM;
    out.append(
        String.format(
            Locale.ROOT,
            "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\""
                + " fill=\"none\" stroke=\"#444\" stroke-width=\"1\"/>",
            LEFT,
            TOP,
            pw,
            ph));
    for (double v : ticks(x0, x1, logX)) {
      double x = LEFT + (v - x0) / (x1 - x0) * pw;
      out.append(
          String.format(
              Locale.ROOT,
              "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"" + " stroke=\"#ddd\"/>",
              x,
              TOP,
              x,
              TOP + ph));
      out.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%.1f\" y=\"%d\" font-size=\"10\"" + " text-anchor=\"middle\">%s</text>",
              x,
              TOP + ph + 13,
              label(v, logX)));
    }
    for (double v : ticks(y0, y1, logY)) {
      double y = height - BOTTOM - (v - y0) / (y1 - y0) * ph;
      out.append(
          String.format(
              Locale.ROOT,
              "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"" + " stroke=\"#ddd\"/>",
              LEFT,
              y,
              LEFT + pw,
              y));
      out.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%d\" y=\"%.1f\" font-size=\"10\"" + " text-anchor=\"end\">%s</text>",
              LEFT - 4,
              y + 3,
              label(v, logY)));
    }
    out.append(
        String.format(
            Locale.ROOT,
            "<text x=\"%d\" y=\"%d\" font-size=\"11\"" + " text-anchor=\"middle\">%s</text>",
            LEFT + pw / 2,
            height - 8,
            esc(xLabel)));
    out.append(
        String.format(
            Locale.ROOT,
            "<text x=\"12\" y=\"%d\" font-size=\"11\""
                + " text-anchor=\"middle\" transform=\"rotate(-90 12 %d)\">%s</text>",
            TOP + ph / 2,
            TOP + ph / 2,
            esc(yLabel)));
  }

  /** Tick positions in transformed units: decades for log axes, 1-2-5 steps for linear ones. */
  private static double[] ticks(double lo, double hi, boolean log) {
    if (log) {
      int a = (int) Math.ceil(lo - 1e-9);
      int b = (int) Math.floor(hi + 1e-9);
      if (b < a) {
        return new double[0];
      }
      double[] tk = new double[b - a + 1];
      for (int i = 0; i <= b - a; i++) {
        tk[i] = a + i;
      }
      return tk;
    }
    double span = hi - lo;
    double raw = span / 5;
    double mag = Math.pow(10, Math.floor(Math.log10(raw)));
    double step =
        raw / mag < 1.5 ? mag : raw / mag < 3.5 ? 2 * mag : raw / mag < 7.5 ? 5 * mag : 10 * mag;
    double first = Math.ceil(lo / step - 1e-9) * step;
    int count = (int) Math.floor((hi - first) / step + 1e-9) + 1;
    double[] tk = new double[Math.max(0, count)];
    for (int i = 0; i < tk.length; i++) {
      tk[i] = first + i * step;
    }
    return tk;
  }

  private static String label(double v, boolean log) {
    if (log) {
      return "1e" + (int) Math.round(v);
    }
    if (Math.abs(v) < 1e-12) {
      return "0";
    }
    return String.format(Locale.ROOT, "%.3g", v)
        .replaceAll("(\\.\\d*?)0+$", "$1")
        .replaceAll("\\.$", "");
  }

  /** A polyline through the points with finite coordinates (in data units). */
  Svg line(double[] xs, double[] ys, String colour, double strokeWidth, String dash) {
    StringBuilder pts = new StringBuilder();
    for (int i = 0; i < xs.length; i++) {
      double x = px(xs[i]);
      double y = py(ys[i]);
      if (Double.isFinite(x) && Double.isFinite(y)) {
        fixed1(pts, x).append(',');
        fixed1(pts, y).append(' ');
      }
    }
    out.append(
        String.format(
            Locale.ROOT,
            "<polyline fill=\"none\" stroke=\"%s\"" + " stroke-width=\"%.1f\"%s points=\"%s\"/>",
            colour,
            strokeWidth,
            dash == null ? "" : " stroke-dasharray=\"" + dash + "\"",
            pts.toString().trim()));
    return this;
  }

  /** A histogram as a step outline over {@code edges}, optionally filled. */
  Svg steps(double[] edges, double[] heights, String colour, boolean fill) {
    StringBuilder pts = new StringBuilder();
    pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", px(edges[0]), py(0)));
    for (int b = 0; b < heights.length; b++) {
      pts.append(
          String.format(
              Locale.ROOT,
              "%.1f,%.1f %.1f,%.1f ",
              px(edges[b]),
              py(heights[b]),
              px(edges[b + 1]),
              py(heights[b])));
    }
    pts.append(String.format(Locale.ROOT, "%.1f,%.1f", px(edges[heights.length]), py(0)));
    out.append(
        String.format(
            Locale.ROOT,
            "<polyline fill=\"%s\" fill-opacity=\"0.25\""
                + " stroke=\"%s\" stroke-width=\"1.4\" points=\"%s\"/>",
            fill ? colour : "none",
            colour,
            pts));
    return this;
  }

  /** Points {@code [x0, y0, x1, y1, ...]} as small circles. */
  Svg points(float[] xy, String colour, double radius, double opacity) {
    out.append(
        String.format(Locale.ROOT, "<g fill=\"%s\" fill-opacity=\"%.2f\">", colour, opacity));
    for (int i = 0; i + 1 < xy.length; i += 2) {
      fixed1(out.append("<circle cx=\""), px(xy[i])).append("\" cy=\"");
      fixed1(out, py(xy[i + 1])).append("\" r=\"");
      fixed1(out, radius).append("\"/>");
    }
    out.append("</g>");
    return this;
  }

  /** A legend in one row between the title and the plot area. */
  Svg legend(String[] names, String[] colours) {
    double x = LEFT;
    for (int i = 0; i < names.length; i++) {
      out.append(
          String.format(
              Locale.ROOT,
              "<rect x=\"%.0f\" y=\"%d\" width=\"12\""
                  + " height=\"8\" fill=\"%s\"/><text x=\"%.0f\" y=\"%d\" font-size=\"11\">%s</text>",
              x,
              TOP - 14,
              colours[i],
              x + 16,
              TOP - 6,
              esc(names[i])));
      x += 28 + 6.2 * names[i].length();
    }
    return this;
  }

  /**
   * Appends exactly what {@code String.format(Locale.ROOT, "%.1f", v)} appends: the 2-D view draws
   * thousands of points, and {@code Formatter} costs microseconds a call. Values near a tie on the
   * hundredths (where rounding {@code 10 v} in binary could differ from {@code Formatter}'s
   * rounding of the shortest decimal form), huge and non-finite values go through {@code
   * Formatter}.
   */
  static StringBuilder fixed1(StringBuilder sb, double v) {
    double a = Math.abs(v);
    double scaled = a * 10;
    if (!(a < 1e9) || Math.abs(scaled - Math.floor(scaled) - 0.5) < 1e-6) {
      return sb.append(String.format(Locale.ROOT, "%.1f", v));
    }
    if (v < 0 || (v == 0 && 1 / v < 0)) {
      sb.append('-');
    }
    long tenths = Math.round(scaled);
    return sb.append(tenths / 10).append('.').append(tenths % 10);
  }

  String close() {
    return out.append("</svg>").toString();
  }

  static String esc(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
