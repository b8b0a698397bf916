package dev.realign.align;

import static dev.realign.Checks.checkArgument;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * A fitted ReAlign transform: an immutable value. Its persisted form is {@link TransformJson}; its
 * identity is {@link #sha256()}, the SHA-256 of a canonical binary encoding of every field (raw
 * IEEE-754 bits for doubles), so two transforms have the same hash exactly when they are equal.
 */
public final class ReAlignTransform {
  /** Where the statistics came from: fingerprints of the sketches the fit consumed. */
  public record Inputs(
      String textSketchSha256, String imageSketchSha256, List<String> centroidSketchSha256) {
    public Inputs {
      Objects.requireNonNull(textSketchSha256, "text sketch fingerprint");
      Objects.requireNonNull(imageSketchSha256, "image sketch fingerprint");
      centroidSketchSha256 = List.copyOf(centroidSketchSha256);
    }
  }

  private final Variant variant;
  private final long textCount;
  private final long imageCount;
  private final double textTrace;
  private final double imageTrace;
  private final AlignmentKernel kernel;
  private final EncoderIdentity encoder;
  private final Inputs inputs;
  private final String sha256;

  ReAlignTransform(
      Variant variant,
      long textCount,
      long imageCount,
      double textTrace,
      double imageTrace,
      AlignmentKernel kernel,
      EncoderIdentity encoder,
      Inputs inputs) {
    this.variant = Objects.requireNonNull(variant, "variant");
    checkArgument(
        textCount > 0 && imageCount > 0,
        "Invalid counts: text %s, image %s (must be >" + " 0)",
        textCount,
        imageCount);
    int expectedSteps = variant.hasCentroidStep() ? Math.max(1, kernel.centroidSteps()) : 0;
    checkArgument(
        kernel.centroidSteps() == expectedSteps,
        "Invalid centroid steps: %s for variant" + " %s (must be %s)",
        kernel.centroidSteps(),
        variant,
        variant.hasCentroidStep() ? ">= 1" : "0");
    checkArgument(
        variant.matchesTrace() || kernel.scale() == 1.0,
        "Invalid scale: %s for variant" + " %s (must be 1)",
        kernel.scale(),
        variant);
    this.textCount = textCount;
    this.imageCount = imageCount;
    this.textTrace = textTrace;
    this.imageTrace = imageTrace;
    this.kernel = kernel;
    this.encoder = Objects.requireNonNull(encoder, "encoder");
    this.inputs = Objects.requireNonNull(inputs, "inputs");
    this.sha256 = computeSha256();
  }

  public Variant variant() {
    return variant;
  }

  public int dimension() {
    return kernel.dimension();
  }

  public long textCount() {
    return textCount;
  }

  public long imageCount() {
    return imageCount;
  }

  public double textTrace() {
    return textTrace;
  }

  public double imageTrace() {
    return imageTrace;
  }

  public double scale() {
    return kernel.scale();
  }

  public double[] muText() {
    return kernel.muText();
  }

  public double[] muImage() {
    return kernel.muImage();
  }

  /** The centroid of each centroid step, in order (empty unless the variant is realign). */
  public double[][] muHat() {
    return kernel.centroids();
  }

  public EncoderIdentity encoder() {
    return encoder;
  }

  public Inputs inputs() {
    return inputs;
  }

  /** The per-row math, to broadcast or to capture in a UDF. */
  public AlignmentKernel kernel() {
    return kernel;
  }

  /** Aligns one row (allocates; use {@link #kernel()} in loops). */
  public float[] apply(float[] row) {
    return kernel.apply(row);
  }

  /** Hex SHA-256 of the canonical parameter encoding. */
  public String sha256() {
    return sha256;
  }

  private String computeSha256() {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeUTF("realign-transform/" + TransformJson.versionFor(encoder));
      out.writeUTF(variant.id());
      out.writeInt(dimension());
      out.writeLong(textCount);
      out.writeLong(imageCount);
      out.writeDouble(textTrace);
      out.writeDouble(imageTrace);
      out.writeDouble(kernel.scale());
      writeVector(out, kernel.muText());
      writeVector(out, kernel.muImage());
      double[][] hats = kernel.centroids();
      out.writeInt(hats.length);
      for (double[] h : hats) {
        writeVector(out, h);
      }
      out.writeUTF(encoder.name());
      out.writeUTF(encoder.sha256() == null ? "" : encoder.sha256());
      out.writeUTF(inputs.textSketchSha256());
      out.writeUTF(inputs.imageSketchSha256());
      out.writeInt(inputs.centroidSketchSha256().size());
      for (String s : inputs.centroidSketchSha256()) {
        out.writeUTF(s);
      }
      if (encoder.hasSettings()) {
        // Format version 2 only, after everything version 1 hashes: version 1 hashes are unchanged.
        out.writeUTF(encoder.settings().pooling());
        out.writeInt(encoder.settings().contextLength());
        out.writeUTF(encoder.settings().outputDtype());
      }
      out.flush();
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(bytes.toByteArray()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available in this JVM", e);
    }
  }

  private static void writeVector(DataOutputStream out, double[] v) throws IOException {
    out.writeInt(v.length);
    for (double x : v) {
      // writeDouble writes doubleToLongBits: NaNs collapse, but a fitted transform holds none.
      out.writeDouble(x);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ReAlignTransform t && sha256.equals(t.sha256);
  }

  @Override
  public int hashCode() {
    return sha256.hashCode();
  }

  @Override
  public String toString() {
    return "ReAlignTransform{variant="
        + variant
        + ", dim="
        + dimension()
        + ", scale="
        + scale()
        + ", sha256="
        + sha256
        + "}";
  }
}
