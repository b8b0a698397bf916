package dev.realign.report;

/**
 * The covariance spectrum of one sample (1/n covariance of its unit rows, centred on their mean).
 *
 * @param label what the sample is ({@code text}, {@code image}, {@code text after realign}, ...)
 * @param rows rows of the sample
 * @param eigenvalues all {@code d} eigenvalues, descending; rounding can leave tiny negative ones
 *     (they count as 0 below)
 * @param effectiveRank {@code exp(-sum p_i ln p_i)}, {@code p_i = max(lambda_i, 0) / sum}
 * @param topK the k of {@code topKEnergy}
 * @param topKEnergy share of the total variance in the top-k directions
 * @param energyThreshold the threshold that defines {@code rankAtThreshold}
 * @param rankAtThreshold r: the smallest rank whose top-r directions hold {@code energyThreshold}
 * @param conditionNumberTopR {@code lambda_1 / lambda_r} of the top-r block
 */
public record ModalitySpectrum(
    String label,
    int rows,
    double[] eigenvalues,
    double effectiveRank,
    int[] topK,
    double[] topKEnergy,
    double energyThreshold,
    int rankAtThreshold,
    double conditionNumberTopR) {
  public ModalitySpectrum {
    eigenvalues = eigenvalues.clone();
    topK = topK.clone();
    topKEnergy = topKEnergy.clone();
  }

  @Override
  public double[] eigenvalues() {
    return eigenvalues.clone();
  }

  @Override
  public int[] topK() {
    return topK.clone();
  }

  @Override
  public double[] topKEnergy() {
    return topKEnergy.clone();
  }

  /** Builds the derived figures from eigenvalues sorted descending. */
  static ModalitySpectrum fromEigenvalues(
      String label, int rows, double[] desc, int[] topK, double energyThreshold) {
    double total = 0.0;
    for (double l : desc) {
      total += Math.max(l, 0.0);
    }
    double entropy = 0.0;
    for (double l : desc) {
      double p = total > 0 ? Math.max(l, 0.0) / total : 0.0;
      if (p > 0) {
        entropy -= p * Math.log(p);
      }
    }
    double[] energy = new double[topK.length];
    for (int q = 0; q < topK.length; q++) {
      energy[q] = energyOfTop(desc, Math.min(topK[q], desc.length), total);
    }
    int r = rankAt(desc, energyThreshold);
    double cond = desc[r - 1] > 0 ? desc[0] / desc[r - 1] : Double.POSITIVE_INFINITY;
    return new ModalitySpectrum(
        label,
        rows,
        desc,
        total > 0 ? Math.exp(entropy) : 0.0,
        topK,
        energy,
        energyThreshold,
        r,
        cond);
  }

  static double energyOfTop(double[] desc, int k, double total) {
    if (total <= 0) {
      return 0.0;
    }
    double s = 0.0;
    for (int i = 0; i < k; i++) {
      s += Math.max(desc[i], 0.0);
    }
    return s / total;
  }

  /** The smallest r (>= 1) whose top-r eigenvalues hold {@code threshold} of the total. */
  static int rankAt(double[] desc, double threshold) {
    double total = 0.0;
    for (double l : desc) {
      total += Math.max(l, 0.0);
    }
    if (total <= 0) {
      return 1;
    }
    double s = 0.0;
    for (int i = 0; i < desc.length; i++) {
      s += Math.max(desc[i], 0.0);
      if (s >= threshold * total) {
        return i + 1;
      }
    }
    return desc.length;
  }
}
