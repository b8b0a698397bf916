package dev.realign.encode;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * DJL phones home unless {@code ai.djl.offline} and {@code OPT_OUT_TRACKING} are set before it
 * runs. In a fresh class loader, with both properties cleared: initialising {@link OnnxTextEncoder}
 * sets them and loads no DJL class; the encoder's other classes load no DJL class either; and when
 * DJL classes do load (through {@link HfTokenizer}), the properties are already set at each load.
 */
class DjlOfflineTest {
  /** Child-first loader for this project's and DJL's classes; records each DJL class load. */
  static final class RecordingLoader extends URLClassLoader {
    final Map<String, String> djlLoads = new ConcurrentHashMap<>();

    RecordingLoader(URL[] urls) {
      super(urls, ClassLoader.getPlatformClassLoader());
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      if (name.startsWith("ai.djl.")) {
        djlLoads.putIfAbsent(
            name,
            System.getProperty("ai.djl.offline") + "/" + System.getProperty("OPT_OUT_TRACKING"));
      }
      return super.loadClass(name, resolve);
    }
  }

  @Test
  void offlinePropertiesAreSetBeforeAnyDjlClassLoads() throws Exception {
    String offline = System.clearProperty("ai.djl.offline");
    String tracking = System.clearProperty("OPT_OUT_TRACKING");
    try (RecordingLoader loader = new RecordingLoader(classPath())) {
      Class.forName(OnnxTextEncoder.class.getName(), true, loader);
      assertThat(System.getProperty("ai.djl.offline")).isEqualTo("true");
      assertThat(System.getProperty("OPT_OUT_TRACKING")).isEqualTo("true");
      assertThat(loader.djlLoads).as("DJL classes loaded by OnnxTextEncoder's init").isEmpty();

      for (String cls :
          List.of(
              "EncoderConfig",
              "SessionCache",
              "LoadedModel",
              "EncodeResult",
              "BundledModel",
              "OnnxGraphInspector")) {
        Class.forName("dev.realign.encode." + cls, true, loader);
      }
      assertThat(loader.djlLoads).as("DJL classes loaded outside HfTokenizer").isEmpty();

      Class.forName("dev.realign.encode.HfTokenizer", true, loader);
      Class.forName("ai.djl.huggingface.tokenizers.HuggingFaceTokenizer", true, loader);
      assertThat(loader.djlLoads)
          .isNotEmpty()
          .allSatisfy(
              (name, props) ->
                  assertThat(props).as("properties when %s loaded", name).isEqualTo("true/true"));
    } finally {
      restore("ai.djl.offline", offline);
      restore("OPT_OUT_TRACKING", tracking);
    }
  }

  private static URL[] classPath() throws Exception {
    List<URL> urls = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (!entry.isEmpty()) {
        urls.add(new File(entry).toURI().toURL());
      }
    }
    return urls.toArray(URL[]::new);
  }

  private static void restore(String key, String value) {
    if (value == null) {
      System.clearProperty(key);
    } else {
      System.setProperty(key, value);
    }
  }
}
