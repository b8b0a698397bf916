package dev.realign.linalg;

/**
 * An eigendecomposition of a symmetric {@code d x d} matrix: a class, not a record, because it
 * defensively copies its arrays.
 */
public final class Eigen {
  private final double[] valuesDesc;
  private final double[][] vectors;

  /**
   * @param valuesDesc the eigenvalues, descending
   * @param vectors the unit eigenvectors as rows, {@code vectors[i]} belonging to {@code
   *     valuesDesc[i]}
   */
  public Eigen(double[] valuesDesc, double[][] vectors) {
    this.valuesDesc = valuesDesc.clone();
    this.vectors = new double[vectors.length][];
    for (int i = 0; i < vectors.length; i++) {
      this.vectors[i] = vectors[i].clone();
    }
  }

  public int dimension() {
    return valuesDesc.length;
  }

  /** The eigenvalues, descending. */
  public double[] valuesDesc() {
    return valuesDesc.clone();
  }

  /** Eigenvector {@code i} (a unit d-vector; 0 = the largest eigenvalue's). */
  public double[] vector(int i) {
    return vectors[i].clone();
  }

  double[] vectorView(int i) {
    return vectors[i];
  }
}
