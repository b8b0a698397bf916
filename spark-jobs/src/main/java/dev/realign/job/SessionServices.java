package dev.realign.job;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.function.Supplier;

/**
 * Creates a Spark session without the SQL extension that spark-mllib declares in {@code
 * META-INF/services/org.apache.spark.sql.SparkSessionExtensionsProvider}: {@code
 * InternalFunctionRegistration}, which registers the ML functions of Spark Connect and, doing so,
 * builds Spark's whole function registry and several encoders through Scala reflection when the
 * session starts. realign's jobs run on RDDs and call no SQL function (the CLI makes its session
 * only for a command that reads through SQL, {@link JobContext#spark()}); a session that does call
 * one (a notebook joining it) still has every built-in function, as the registry is built on first
 * use.
 *
 * <p>During the session's creation the thread's context class loader (which Spark's {@code
 * ServiceLoader} lookup reads) hides that one service file; it delegates everything else, classes
 * and other resources, to the loader it replaces, and is put back afterwards. Any other extension
 * provider, and {@code spark.sql.extensions}, still load.
 */
final class SessionServices {
  static final String EXTENSIONS_SERVICE =
      "META-INF/services/org.apache.spark.sql.SparkSessionExtensionsProvider";
  static final String ML_FUNCTIONS = "org.apache.spark.sql.ml.InternalFunctionRegistration";

  private SessionServices() {}

  /** Runs {@code create} with spark-mllib's extension provider hidden from service lookup. */
  static <T> T withoutMlFunctions(Supplier<T> create) {
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    ClassLoader parent = previous != null ? previous : SessionServices.class.getClassLoader();
    thread.setContextClassLoader(new Hiding(parent));
    try {
      return create.get();
    } finally {
      thread.setContextClassLoader(previous);
    }
  }

  /** Delegates to its parent; lists no service file that declares only the ML functions. */
  static final class Hiding extends ClassLoader {
    static {
      registerAsParallelCapable();
    }

    Hiding(ClassLoader parent) {
      super(parent);
    }

    @Override
    public Enumeration<URL> getResources(String name) throws IOException {
      Enumeration<URL> all = super.getResources(name);
      if (!name.equals(EXTENSIONS_SERVICE)) {
        return all;
      }
      List<URL> kept = new ArrayList<>();
      while (all.hasMoreElements()) {
        URL url = all.nextElement();
        if (!declaresOnlyMlFunctions(url)) {
          kept.add(url);
        }
      }
      return Collections.enumeration(kept);
    }

    private static boolean declaresOnlyMlFunctions(URL url) throws IOException {
      List<String> providers = new ArrayList<>();
      try (InputStream in = url.openStream();
          BufferedReader r =
              new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        for (String line = r.readLine(); line != null; line = r.readLine()) {
          int hash = line.indexOf('#');
          String name = (hash >= 0 ? line.substring(0, hash) : line).trim();
          if (!name.isEmpty()) {
            providers.add(name);
          }
        }
      }
      return providers.equals(List.of(ML_FUNCTIONS));
    }
  }
}
