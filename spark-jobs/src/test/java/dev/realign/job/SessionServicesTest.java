package dev.realign.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.ServiceLoader;
import org.apache.spark.sql.SparkSessionExtensionsProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SessionServicesTest {
  @TempDir Path dir;

  @Test
  void hidesOnlyTheServiceFileThatDeclaresOnlyTheMlFunctions() throws IOException {
    Path ml = service("ml", "# licence header\n\n" + SessionServices.ML_FUNCTIONS + "\n");
    Path other = service("other", "com.example.OtherExtensions # a user's provider\n");
    Path both = service("both", SessionServices.ML_FUNCTIONS + "\ncom.example.More\n");
    try (URLClassLoader parent = loader(ml, other, both)) {
      ClassLoader hiding = new SessionServices.Hiding(parent);

      assertThat(names(parent.getResources(SessionServices.EXTENSIONS_SERVICE)))
          .as("control: the parent lists all three")
          .containsExactly("ml", "other", "both");
      assertThat(names(hiding.getResources(SessionServices.EXTENSIONS_SERVICE)))
          .containsExactly("other", "both");
    }
  }

  @Test
  void otherResourcesAndClassesComeFromTheParent() throws Exception {
    Path ml = service("ml", SessionServices.ML_FUNCTIONS + "\n");
    Files.writeString(ml.resolve("data.txt"), "x");
    try (URLClassLoader parent = loader(ml)) {
      ClassLoader hiding = new SessionServices.Hiding(parent);

      assertThat(names(hiding.getResources("data.txt"))).containsExactly("ml");
    }
    ClassLoader app = SessionServicesTest.class.getClassLoader();
    assertThat(new SessionServices.Hiding(app).loadClass(SessionServices.class.getName()))
        .isSameAs(SessionServices.class);
  }

  /** On this module's real classpath: spark-mllib's provider is found, and hidden. */
  @Test
  void sparkMllibsProviderIsNotLoadedDuringSessionCreation() {
    ClassLoader cl = Thread.currentThread().getContextClassLoader();
    assertThat(providers(cl))
        .as("control: spark-mllib is on the test classpath")
        .contains(SessionServices.ML_FUNCTIONS);

    List<String> seen = SessionServices.withoutMlFunctions(() -> providers(currentLoader()));

    assertThat(seen).doesNotContain(SessionServices.ML_FUNCTIONS);
    assertThat(Thread.currentThread().getContextClassLoader()).isSameAs(cl);
  }

  @Test
  void putsTheContextLoaderBackWhenCreationFails() {
    ClassLoader cl = Thread.currentThread().getContextClassLoader();

    assertThatThrownBy(
            () ->
                SessionServices.withoutMlFunctions(
                    () -> {
                      throw new IllegalStateException("no session");
                    }))
        .hasMessage("no session");
    assertThat(Thread.currentThread().getContextClassLoader()).isSameAs(cl);
  }

  private static ClassLoader currentLoader() {
    return Thread.currentThread().getContextClassLoader();
  }

  private static List<String> providers(ClassLoader cl) {
    List<String> names = new ArrayList<>();
    for (ServiceLoader.Provider<SparkSessionExtensionsProvider> p :
        ServiceLoader.load(SparkSessionExtensionsProvider.class, cl).stream().toList()) {
      names.add(p.type().getName());
    }
    return names;
  }

  private Path service(String name, String text) throws IOException {
    Path root = dir.resolve(name);
    Path file = root.resolve(SessionServices.EXTENSIONS_SERVICE);
    Files.createDirectories(file.getParent());
    Files.writeString(file, text, StandardCharsets.UTF_8);
    return root;
  }

  private static URLClassLoader loader(Path... roots) throws IOException {
    URL[] urls = new URL[roots.length];
    for (int i = 0; i < roots.length; i++) {
      urls[i] = roots[i].toUri().toURL();
    }
    // No parent: only these folders, so the listing is exactly theirs.
    return new URLClassLoader(urls, null);
  }

  /** The folder name each listed URL comes from. */
  private List<String> names(java.util.Enumeration<URL> urls) {
    List<String> names = new ArrayList<>();
    for (URL url : Collections.list(urls)) {
      Path p = Path.of(url.getPath());
      names.add(dir.relativize(p).getName(0).toString());
    }
    return names;
  }
}
