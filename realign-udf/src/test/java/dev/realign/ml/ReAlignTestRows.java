package dev.realign.ml;

final class ReAlignTestRows {
  private ReAlignTestRows() {}

  static double[] widen(float[] v) {
    double[] d = new double[v.length];
    for (int j = 0; j < v.length; j++) {
      d[j] = v[j];
    }
    return d;
  }
}
