package dev.realign.demo;

import dev.realign.config.ConfigKeys;
import dev.realign.config.PipelineConfig;
import dev.realign.job.Console;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code demo.generate}: writes the demo input once under {@code <output.dir>/demo-input} and
 * points the config's inputs at it. With {@code demo.captions > 0} it writes a caption corpus (to
 * be encoded) and the synthetic image side only; otherwise synthetic text and image embeddings. A
 * {@code _params.txt} marker records what was generated, so a rerun with the same parameters reuses
 * the files and any change regenerates them.
 */
public final class DemoInput {
  private DemoInput() {}

  /** The config unchanged when {@code demo.generate} is off, else pointed at the demo input. */
  public static PipelineConfig prepare(PipelineConfig config) {
    if (!config.getBoolean(ConfigKeys.DEMO_GENERATE)) {
      return config;
    }
    Path dir = Path.of(config.require(ConfigKeys.OUTPUT_DIR)).resolve("demo-input");
    long textRows = config.getLong(ConfigKeys.DEMO_TEXT_ROWS);
    long imageRows = config.getLong(ConfigKeys.DEMO_IMAGE_ROWS);
    int dim = config.getInt(ConfigKeys.DEMO_DIM);
    int files = config.getInt(ConfigKeys.DEMO_FILES);
    long seed = config.getLong(ConfigKeys.DEMO_SEED);
    int captions = config.getInt(ConfigKeys.DEMO_CAPTIONS);
    // With captions the text side is encoded, never generated: demo.text_rows plays no part.
    String texts = captions > 0 ? "captions=" + captions : "text_rows=" + textRows;
    String params =
        texts
            + " image_rows="
            + imageRows
            + " dim="
            + dim
            + " files="
            + files
            + " seed="
            + seed
            + " generator=2\n";
    Path marker = dir.resolve("_params.txt");
    try {
      if (!Files.isRegularFile(marker) || !Files.readString(marker).equals(params)) {
        long t0 = System.nanoTime();
        if (captions > 0) {
          CaptionCorpus.generate(dir.resolve("captions"), captions, files, seed);
          DemoEmbeddings.generateImages(dir, imageRows, dim, files, seed);
        } else {
          DemoEmbeddings.generate(dir, textRows, imageRows, dim, files, seed);
        }
        Files.writeString(marker, params);
        Console.info(
            "generated demo input (%s) in %.1f s -> %s",
            params.trim(), (System.nanoTime() - t0) / 1e9, dir);
      } else {
        Console.info("reusing demo input (%s) in %s", params.trim(), dir);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write demo input under " + dir, e);
    }
    if (captions > 0) {
      Console.info(
          "demo: %,d generated captions are encoded with the bundled model; the image"
              + " side is synthetic (%,d rows at d = %d, the encoder's dimension)",
          captions, imageRows, dim);
      return PipelineConfig.builder()
          .setAll(config.asMap())
          .set(ConfigKeys.TEXTS, dir.resolve("captions").toString())
          .set(ConfigKeys.IMAGE_EMBEDDINGS, dir.resolve("image").toString())
          .set(ConfigKeys.IMAGE_FORMAT, "npy")
          .build();
    }
    return PipelineConfig.builder()
        .setAll(config.asMap())
        .set(ConfigKeys.TEXT_EMBEDDINGS, dir.resolve("text").toString())
        .set(ConfigKeys.IMAGE_EMBEDDINGS, dir.resolve("image").toString())
        .set(ConfigKeys.TEXT_FORMAT, "npy")
        .set(ConfigKeys.IMAGE_FORMAT, "npy")
        .build();
  }
}
