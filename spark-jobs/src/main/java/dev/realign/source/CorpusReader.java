package dev.realign.source;

import dev.realign.vector.RejectReason;
import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Iterator;
import java.util.zip.GZIPInputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.LocalInputFile;

/**
 * Opens corpus files and {@link CorpusSplit}s as streams of {@link CorpusRecord}s: texts with ids,
 * or row-level rejects (which the caller writes to {@code rejected/} and counts). Input-level
 * problems (an unreadable or truncated file, a Parquet file without the text column) throw, naming
 * the file.
 *
 * <ul>
 *   <li>JSONL: each line one JSON object ({@link JsonLineParser});
 *   <li>TEXT: each line one text; id = {@link StableIds#lineId} of the relative path and the
 *       1-based line number;
 *   <li>PARQUET: top-level string columns for text and (optional) id ({@link ParquetRecords}).
 * </ul>
 *
 * Every format: bytes that are not valid UTF-8 give {@link RejectReason#UNREADABLE_TEXT} (decoded
 * with a REPORT decoder, never replaced); null, empty or whitespace-only texts give {@link
 * RejectReason#EMPTY_TEXT}; a null or empty id gives {@link RejectReason#NULL_ID}. A {@code .gz}
 * file is decompressed on the fly (Parquet: to a temporary file, as Parquet needs random access).
 * Line numbers are global in their file whichever split reads them. Records are not thread-safe;
 * one per task.
 */
public final class CorpusReader {
  public static final String ID_FIELD_DEFAULT = "id";
  public static final String TEXT_FIELD_DEFAULT = "text";

  private final String idField;
  private final String textField;
  private final JsonLineParser json;

  /**
   * @param idField the id field/column, or null to generate {@link StableIds} (TEXT always does)
   * @param textField the text field/column
   */
  public CorpusReader(String idField, String textField) {
    if (textField == null || textField.isEmpty()) {
      throw new IllegalArgumentException(
          "Invalid text field: \"" + textField + "\" (must be non-empty)");
    }
    if (idField != null && idField.isEmpty()) {
      throw new IllegalArgumentException(
          "Invalid id field: \"\" (must be non-empty, or unset to" + " generate ids)");
    }
    this.idField = idField;
    this.textField = textField;
    this.json = new JsonLineParser(idField, textField);
  }

  /** Fields {@code id} and {@code text}. */
  public static CorpusReader defaults() {
    return new CorpusReader(ID_FIELD_DEFAULT, TEXT_FIELD_DEFAULT);
  }

  /** Records of one file or split; close it to release the file. */
  public interface Records extends Iterator<CorpusRecord>, Closeable {
    @Override
    void close();
  }

  /** Opens a local file. */
  public Records open(CorpusFile file) {
    String rel = file.relativePath();
    try {
      if (file.format() == CorpusFormat.PARQUET) {
        if (!file.gzip()) {
          return openParquet(rel, new LocalInputFile(file.path()));
        }
        return openGzippedParquet(file.path(), rel);
      }
      return open(rel, file.format(), file.gzip(), Files.newInputStream(file.path()));
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot read corpus file " + file.path() + ": " + e.getMessage(), e);
    }
  }

  /**
   * Opens one split through Hadoop's FileSystem, so executors read local and remote files alike.
   */
  public Records open(CorpusSplit split, Configuration conf) {
    org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(split.path());
    String rel = split.relativePath();
    try {
      if (split.format() == CorpusFormat.PARQUET) {
        if (split.gzip()) {
          // .parquet.gz needs random access after unpacking: to a local temporary file.
          return openGzippedParquet(Path.of(p.toUri()), rel);
        }
        InputFile in = HadoopInputFile.fromPath(p, conf);
        return split.kind() == CorpusSplit.Kind.ROW_GROUPS
            ? new ParquetRecords(
                rel,
                in,
                idField,
                textField,
                (int) split.start(),
                (int) split.end(),
                split.firstNumber())
            : openParquet(rel, in);
      }
      FSDataInputStream in = p.getFileSystem(conf).open(p);
      if (split.kind() != CorpusSplit.Kind.BYTES) {
        return open(rel, split.format(), split.gzip(), in);
      }
      try {
        in.seek(Math.max(split.start() - 1, 0));
      } catch (IOException e) {
        in.close();
        throw e;
      }
      return new LineRecords(
          rel,
          split.format(),
          new Utf8Lines(
              new BufferedInputStream(in, 1 << 16),
              split.start(),
              split.end(),
              split.firstNumber()),
          json);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot read corpus file " + split.path() + ": " + e.getMessage(), e);
    }
  }

  /**
   * Opens a line format (JSONL or TEXT) from any stream, e.g. a Hadoop {@code FileSystem.open}; the
   * stream is closed with the records.
   */
  public Records open(String relativePath, CorpusFormat format, boolean gzip, InputStream in)
      throws IOException {
    if (format == CorpusFormat.PARQUET) {
      in.close();
      throw new IllegalArgumentException(
          "Parquet needs random access: use openParquet for " + relativePath);
    }
    InputStream raw =
        gzip ? new GZIPInputStream(in, 1 << 16) : new BufferedInputStream(in, 1 << 16);
    return new LineRecords(relativePath, format, new Utf8Lines(raw), json);
  }

  /** Opens a Parquet file, e.g. {@code HadoopInputFile.fromPath(path, conf)} on a cluster. */
  public Records openParquet(String relativePath, InputFile in) throws IOException {
    return new ParquetRecords(relativePath, in, idField, textField, 0, -1, 1);
  }

  private Records openGzippedParquet(Path gz, String rel) throws IOException {
    Path tmp = Files.createTempFile("realign-corpus-", ".parquet");
    try (InputStream in = new GZIPInputStream(Files.newInputStream(gz), 1 << 16)) {
      Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    Records inner = openParquet(rel, new LocalInputFile(tmp));
    return new Records() {
      @Override
      public boolean hasNext() {
        return inner.hasNext();
      }

      @Override
      public CorpusRecord next() {
        return inner.next();
      }

      @Override
      public void close() {
        inner.close();
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // A temp file left behind is harmless.
        }
      }
    };
  }
}
