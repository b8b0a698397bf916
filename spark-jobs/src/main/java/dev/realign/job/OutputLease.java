package dev.realign.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.realign.config.ConfigKeys;
import dev.realign.config.OutputMode;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * One writer per output directory: a run holds {@code OUTPUT/_realign.lease} from before it writes
 * anything until it ends. The lease is created with create-only semantics (an exclusive create on
 * local disk, HDFS's create without overwrite, S3A's conditional create {@code If-None-Match: *}
 * where the store honours it), holds the holder's application id, host, start and a heartbeat that
 * a daemon thread renews every fifth of {@code output.lease_timeout_seconds}.
 *
 * <p>A second run on a leased output is refused, naming the holder. With {@code --mode resume} a
 * lease whose heartbeat stopped longer ago than the timeout (a killed driver, a zombie Airflow
 * attempt) is taken over: it is first renamed aside, which only one of several takers can do. Names
 * starting with {@code _} are skipped by every reader, so the lease is never read as data.
 */
public final class OutputLease implements AutoCloseable {
  public static final String NAME = "_realign.lease";

  /** S3A's (Hadoop 3.4.2+) create option for {@code If-None-Match: *}; ignored elsewhere. */
  static final String CONDITIONAL_CREATE = "fs.option.create.conditional.overwrite";

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final FileSystem fs;
  private final Path path;
  private final ObjectNode holder;
  private final ScheduledExecutorService heartbeat;

  private OutputLease(FileSystem fs, Path path, ObjectNode holder, long intervalMillis) {
    this.fs = fs;
    this.path = path;
    this.holder = holder;
    this.heartbeat =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "realign-lease-heartbeat");
              t.setDaemon(true);
              return t;
            });
    heartbeat.scheduleWithFixedDelay(
        this::renew, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
  }

  /** Runs {@code body} holding the lease of the context's output directory. */
  static <T> T holding(JobContext ctx, Supplier<T> body) {
    try (OutputLease lease = acquire(ctx)) {
      return body.get();
    }
  }

  static OutputLease acquire(JobContext ctx) {
    return acquire(
        ctx.fs,
        ctx.layout.rootPath(),
        ctx.jsc.sc().applicationId(),
        ctx.config.outputMode(),
        ctx.config.getInt(ConfigKeys.OUTPUT_LEASE_TIMEOUT) * 1000L);
  }

  /**
   * Takes the lease of {@code dir} or fails before anything is written there (the directory itself
   * is created).
   *
   * @throws IllegalStateException naming the holder, when another run holds a live lease (or a
   *     stale one and {@code mode} is not resume)
   */
  public static OutputLease acquire(
      FileSystem fs, Path dir, String applicationId, OutputMode mode, long timeoutMillis) {
    Path path = new Path(dir, NAME);
    ObjectNode holder = MAPPER.createObjectNode();
    holder.put("token", UUID.randomUUID().toString());
    holder.put("application_id", applicationId);
    holder.put("host", hostName());
    holder.put("started", Instant.now().toString());
    try {
      fs.mkdirs(dir);
      for (int attempt = 0; attempt < 3; attempt++) {
        holder.put("heartbeat_epoch_ms", System.currentTimeMillis());
        if (createNew(fs, path, bytes(holder))) {
          return new OutputLease(fs, path, holder, Math.max(1000L, timeoutMillis / 5));
        }
        JsonNode other = read(fs, path);
        if (other == null) {
          continue; // released between our create and read: try again
        }
        long age = System.currentTimeMillis() - other.path("heartbeat_epoch_ms").asLong(0);
        if (mode != OutputMode.RESUME || age <= timeoutMillis) {
          throw refused(path, other, age, timeoutMillis);
        }
        Path aside = new Path(dir, NAME + ".stale-" + holder.get("token").asText());
        if (!fs.rename(path, aside)) {
          continue; // another taker moved it first: compete for the create
        }
        JsonNode moved = read(fs, aside);
        if (moved != null && !moved.path("token").equals(other.path("token"))) {
          // A fresh lease was created between our read and the rename: give it back.
          fs.rename(aside, path);
          throw refused(path, moved, 0, timeoutMillis);
        }
        fs.delete(aside, false);
        Console.info(
            "took over the stale lease %s of application %s (heartbeat %d s ago)",
            path, other.path("application_id").asText("?"), age / 1000);
      }
      throw new IllegalStateException(
          "Cannot take the lease " + path + ": other runs keep taking and releasing it");
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot take the lease " + path, e);
    }
  }

  private static IllegalStateException refused(
      Path path, JsonNode other, long ageMillis, long timeoutMillis) {
    boolean stale = ageMillis > timeoutMillis;
    return new IllegalStateException(
        "Output directory "
            + path.getParent()
            + " is being written by another run: application "
            + other.path("application_id").asText("?")
            + " on "
            + other.path("host").asText("?")
            + ", started "
            + other.path("started").asText("?")
            + ", last heartbeat "
            + ageMillis / 1000
            + " s ago (lease "
            + path
            + "); "
            + (stale
                ? "its heartbeat stopped more than output.lease_timeout_seconds ("
                    + timeoutMillis / 1000
                    + " s) ago: rerun with --mode resume to take it over"
                : "wait for it to finish, or once its heartbeat has stopped for"
                    + " output.lease_timeout_seconds ("
                    + timeoutMillis / 1000
                    + " s) rerun with --mode resume"));
  }

  /** Creates {@code path} holding {@code bytes} unless it exists; false when it does. */
  static boolean createNew(FileSystem fs, Path path, byte[] bytes) throws IOException {
    File local = dev.realign.source.HadoopFiles.localFile(fs, path);
    if (local != null) {
      // Hadoop's local create(overwrite=false) checks, then creates: O_EXCL does both at once.
      try (OutputStream out =
          Files.newOutputStream(
              local.toPath(), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        out.write(bytes);
        return true;
      } catch (FileAlreadyExistsException e) {
        return false;
      }
    }
    org.apache.hadoop.fs.FSDataOutputStreamBuilder<?, ?> create =
        fs.createFile(path).overwrite(false);
    create.opt(CONDITIONAL_CREATE, "true");
    try (OutputStream out = create.build()) {
      out.write(bytes);
      return true;
    } catch (org.apache.hadoop.fs.FileAlreadyExistsException e) {
      return false;
    } catch (IOException e) {
      // Lost a race: HDFS says AlreadyBeingCreatedException while another client creates it,
      // S3A reports a failed If-None-Match (412) when the upload completes.
      if (fs.exists(path)) {
        return false;
      }
      throw e;
    }
  }

  /** The lease's content, or null when it is gone; an unreadable one counts by its file's age. */
  private static JsonNode read(FileSystem fs, Path path) throws IOException {
    byte[] bytes;
    long modified;
    try {
      modified = fs.getFileStatus(path).getModificationTime();
      try (InputStream in = fs.open(path)) {
        bytes = in.readAllBytes();
      }
    } catch (java.io.FileNotFoundException e) {
      return null;
    }
    try {
      JsonNode n = MAPPER.readTree(bytes);
      if (n != null && n.has("token")) {
        return n;
      }
    } catch (IOException partial) {
      // being written (local disk shows a file before its bytes): judged by its age below
    }
    ObjectNode unknown = MAPPER.createObjectNode();
    unknown.put("token", "unreadable-" + modified);
    unknown.put("heartbeat_epoch_ms", modified);
    return unknown;
  }

  private static byte[] bytes(ObjectNode n) {
    try {
      return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(n);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "unknown host";
    }
  }

  private synchronized boolean ours() throws IOException {
    JsonNode now = read(fs, path);
    return now != null && now.path("token").equals(holder.get("token"));
  }

  /** Renews the heartbeat while the lease is still ours (a taker may have moved it). */
  private synchronized void renew() {
    try {
      if (!ours()) {
        Console.info("lease %s is no longer held by this run: heartbeat stopped", path);
        heartbeat.shutdown();
        return;
      }
      holder.put("heartbeat_epoch_ms", System.currentTimeMillis());
      try (OutputStream out = fs.create(path, true)) {
        out.write(bytes(holder));
      }
    } catch (IOException | RuntimeException e) {
      Console.info("cannot renew lease %s: %s", path, e.getMessage());
    }
  }

  /** Stops the heartbeat and deletes the lease if it is still ours. */
  @Override
  public synchronized void close() {
    heartbeat.shutdownNow();
    try {
      if (ours()) {
        fs.delete(path, false);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot release the lease " + path, e);
    }
  }
}
