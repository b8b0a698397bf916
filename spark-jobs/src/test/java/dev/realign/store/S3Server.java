package dev.realign.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3 REST server on 127.0.0.1: s3proxy (filesystem backend) in a JVM of its own, started
 * from the self-contained jar the build copies to {@code target/s3proxy/s3proxy.jar} (system
 * property {@code realign.s3proxy.jar}); its Jetty never meets Spark's classpath. S3A reaches it
 * with path-style access; the credentials go into the Hadoop conf only, never onto a command line.
 */
final class S3Server implements RemoteStore {
  static final String BUCKET = "realign-test";
  static final String ACCESS_KEY = "realign-test-access";
  static final String SECRET_KEY = "realign-test-secret";
  private static final long START_TIMEOUT_MS = 60_000;

  private final Process process;
  private final int port;
  final Path data;

  private S3Server(Process process, int port, Path data) {
    this.process = process;
    this.port = port;
    this.data = data;
  }

  /** The s3proxy jar the build copied, or a failure saying how to get it (never a skip). */
  static Path jar() {
    String jar = System.getProperty("realign.s3proxy.jar");
    if (jar == null || !Files.isRegularFile(Path.of(jar))) {
      throw new IllegalStateException(
          "Missing s3proxy jar: "
              + jar
              + " (system property realign.s3proxy.jar; `mvn test-compile -pl spark-jobs` copies"
              + " it to spark-jobs/target/s3proxy/s3proxy.jar)");
    }
    return Path.of(jar);
  }

  static S3Server start(Path dir) {
    try {
      Path data = Files.createDirectories(dir.resolve("data"));
      int port;
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        port = s.getLocalPort();
      }
      // The properties file holds the server's credentials: readable by the owner only.
      Path props = dir.resolve("s3proxy.properties");
      Files.writeString(
          props,
          String.join(
              "\n",
              "s3proxy.endpoint=http://127.0.0.1:" + port,
              "s3proxy.authorization=aws-v2-or-v4",
              "s3proxy.identity=" + ACCESS_KEY,
              "s3proxy.credential=" + SECRET_KEY,
              "jclouds.provider=filesystem-nio2",
              "jclouds.filesystem.basedir=" + data,
              ""),
          StandardCharsets.UTF_8);
      Path log = dir.resolve("s3proxy.log");
      ProcessBuilder pb =
          new ProcessBuilder(
                  List.of(
                      Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                      "-Xmx256m",
                      "-jar",
                      jar().toString(),
                      "--properties",
                      props.toString()))
              .redirectErrorStream(true)
              .redirectOutput(log.toFile());
      pb.environment().put("LOG_LEVEL", "warn");
      pb.environment().put("JETTY_LOG_LEVEL", "warn");
      Process p = pb.start();
      S3Server server = new S3Server(p, port, data);
      server.awaitListening(log);
      server.createBucket();
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start s3proxy under " + dir, e);
    }
  }

  private void awaitListening(Path log) throws IOException {
    long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
    while (System.currentTimeMillis() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "s3proxy exited with " + process.exitValue() + ": " + Files.readString(log));
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 500);
        return;
      } catch (IOException notYet) {
        try {
          Thread.sleep(200);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("Interrupted waiting for s3proxy", e);
        }
      }
    }
    close();
    throw new IllegalStateException(
        "s3proxy did not listen on 127.0.0.1:"
            + port
            + " within "
            + START_TIMEOUT_MS
            + " ms: "
            + Files.readString(log));
  }

  /** S3A creates no buckets: the SDK's own client does, once. */
  private void createBucket() {
    try (S3Client s3 = client()) {
      s3.createBucket(b -> b.bucket(BUCKET));
    }
  }

  /**
   * Whether the server refuses a PUT with {@code If-None-Match: *} on an existing key (412), as S3
   * does: what the lease and the manifest's create-only publish rely on.
   */
  boolean refusesIfNoneMatchOnExistingKey(String key) {
    try (S3Client s3 = client()) {
      s3.putObject(
          b -> b.bucket(BUCKET).key(key),
          software.amazon.awssdk.core.sync.RequestBody.fromString("first"));
      try {
        s3.putObject(
            b -> b.bucket(BUCKET).key(key).ifNoneMatch("*"),
            software.amazon.awssdk.core.sync.RequestBody.fromString("second"));
        return false;
      } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
        return e.statusCode() == 412;
      }
    }
  }

  private S3Client client() {
    return S3Client.builder()
        .endpointOverride(URI.create(endpoint()))
        .region(Region.US_EAST_1)
        .forcePathStyle(true)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
        .httpClientBuilder(ApacheHttpClient.builder())
        .build();
  }

  String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  @Override
  public String root() {
    return "s3a://" + BUCKET + "/realign";
  }

  @Override
  public Map<String, String> hadoopConf() {
    return Map.ofEntries(
        Map.entry("fs.s3a.endpoint", endpoint()),
        Map.entry("fs.s3a.endpoint.region", "us-east-1"),
        Map.entry("fs.s3a.path.style.access", "true"),
        Map.entry("fs.s3a.connection.ssl.enabled", "false"),
        Map.entry(
            "fs.s3a.aws.credentials.provider",
            "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider"),
        Map.entry("fs.s3a.access.key", ACCESS_KEY),
        Map.entry("fs.s3a.secret.key", SECRET_KEY),
        Map.entry("fs.s3a.change.detection.version.required", "false"),
        Map.entry("fs.s3a.retry.limit", "2"),
        Map.entry("fs.s3a.attempts.maximum", "2"));
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
