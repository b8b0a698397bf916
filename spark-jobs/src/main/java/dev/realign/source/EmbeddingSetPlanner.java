package dev.realign.source;

import dev.realign.io.Npy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.HadoopReadOptions;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.FileMetaData;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.schema.MessageType;

/**
 * Plans an embedding set from headers and footers alone: lists the files in sorted order, checks
 * every file's schema and dimension, and cuts the rows into splits. Every input-level problem
 * (missing path, wrong type, mixed dimensions, no rows) fails here, before any work, naming the
 * file, the column and what was expected.
 */
public final class EmbeddingSetPlanner {
  /** What to plan. */
  public record Spec(
      String role,
      String path,
      EmbeddingFormat format,
      String metadataPath,
      Columns columns,
      int splitRows,
      int partitions) {}

  private EmbeddingSetPlanner() {}

  public static EmbeddingSet plan(Spec spec, Configuration conf) {
    EmbeddingFormat format = spec.format();
    if (format == null) {
      format = detect(spec, conf);
    }
    EmbeddingFormat f = format;
    List<String> files =
        HadoopFiles.listInputs(
            spec.path(),
            conf,
            name -> EmbeddingFormat.ofFileName(name) == f,
            spec.role() + " embeddings");
    return f == EmbeddingFormat.NPY ? planNpy(spec, files, conf) : planParquet(spec, files, conf);
  }

  private static EmbeddingFormat detect(Spec spec, Configuration conf) {
    List<String> all =
        HadoopFiles.listInputs(
            spec.path(),
            conf,
            name -> EmbeddingFormat.ofFileName(name) != null,
            spec.role() + " embeddings");
    EmbeddingFormat first = EmbeddingFormat.ofFileName(new Path(all.get(0)).getName());
    if (first == null) {
      throw new IllegalArgumentException(
          "Invalid "
              + spec.role()
              + " embeddings "
              + all.get(0)
              + ": unknown format (must end in .npy or .parquet, or set input."
              + spec.role()
              + ".format)");
    }
    for (String file : all) {
      if (EmbeddingFormat.ofFileName(new Path(file).getName()) != first) {
        throw new IllegalArgumentException(
            "Invalid "
                + spec.role()
                + " embeddings "
                + spec.path()
                + ": mixes .npy and .parquet files (must be one format; found "
                + file
                + ")");
      }
    }
    return first;
  }

  private static int splitRows(Spec spec, long totalRows) {
    if (spec.partitions() > 0) {
      return (int)
          Math.max(
              1,
              Math.min(Integer.MAX_VALUE, (totalRows + spec.partitions() - 1) / spec.partitions()));
    }
    return spec.splitRows();
  }

  /**
   * The row counts of the fewest equal ranges of at most {@code per} rows that cover {@code rows},
   * range k being {@code [rows k / n, rows (k + 1) / n)} as a big Parquet row group is cut. Cutting
   * 200,000 rows every 65,536 left a last split of 3,392 rows, so two cores ran three full tasks
   * one after another; four equal ones keep both busy.
   */
  static long[] equalCut(long rows, long per) {
    int n = Math.toIntExact((rows + per - 1) / per);
    long[] out = new long[n];
    for (int k = 0; k < n; k++) {
      out[k] = rows * (k + 1) / n - rows * k / n;
    }
    return out;
  }

  private static EmbeddingSet planNpy(Spec spec, List<String> files, Configuration conf) {
    List<Npy.Header> headers = new ArrayList<>();
    int dim = -1;
    long total = 0;
    for (String file : files) {
      Npy.Header h = npyHeader(file, conf);
      if (h.shape().length != 2) {
        throw new IllegalArgumentException(
            "Invalid .npy file "
                + file
                + " for "
                + spec.role()
                + " embeddings: shape "
                + java.util.Arrays.toString(h.shape())
                + " (must be 2-D: rows x dimension)");
      }
      long wide = h.shape()[1];
      if (wide <= 0 || wide > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(
            "Invalid .npy file " + file + ": dimension " + wide + " (must be in [1, 2^31 - 1])");
      }
      int d = (int) wide;
      if (dim < 0) {
        dim = d;
      } else if (d != dim) {
        throw new IllegalArgumentException(
            "Invalid .npy file "
                + file
                + " for "
                + spec.role()
                + " embeddings: dimension expected "
                + dim
                + " (from "
                + files.get(0)
                + "), actual "
                + d);
      }
      headers.add(h);
      total += h.rows();
    }
    List<String> metadata = null;
    boolean hasText = false;
    if (spec.metadataPath() != null && !spec.metadataPath().isBlank()) {
      metadata =
          HadoopFiles.listInputs(
              spec.metadataPath(),
              conf,
              name -> EmbeddingFormat.ofFileName(name) == EmbeddingFormat.PARQUET,
              spec.role() + " metadata");
      if (metadata.size() != files.size()) {
        throw new IllegalArgumentException(
            "Invalid "
                + spec.role()
                + " metadata "
                + spec.metadataPath()
                + ": expected "
                + files.size()
                + " Parquet files (one per .npy"
                + " file, paired in sorted order), actual "
                + metadata.size());
      }
      for (int i = 0; i < files.size(); i++) {
        ParquetFileReader r = openFooter(metadata.get(i), conf);
        try (r) {
          MessageType schema = r.getFooter().getFileMetaData().getSchema();
          ParquetSchemaChecks.requireId(schema, spec, metadata.get(i));
          hasText |= ParquetSchemaChecks.checkText(schema, spec, metadata.get(i));
          long rows = r.getRecordCount();
          if (rows != headers.get(i).rows()) {
            throw new IllegalArgumentException(
                "Invalid metadata file "
                    + metadata.get(i)
                    + ": expected "
                    + headers.get(i).rows()
                    + " rows (as "
                    + files.get(i)
                    + "), actual "
                    + rows);
          }
        } catch (IOException e) {
          throw new UncheckedIOException("Cannot read Parquet footer of " + metadata.get(i), e);
        }
      }
    }
    int per = splitRows(spec, total);
    List<EmbeddingSplit> splits = new ArrayList<>();
    for (int i = 0; i < files.size(); i++) {
      Npy.Header h = headers.get(i);
      long first = 0;
      for (long rows : equalCut(h.rows(), per)) {
        splits.add(
            new EmbeddingSplit(
                splits.size(),
                EmbeddingFormat.NPY,
                files.get(i),
                first,
                rows,
                h.dataOffset(),
                0,
                metadata == null ? null : metadata.get(i),
                HadoopFiles.stem(files.get(i))));
        first += rows;
      }
    }
    requireRows(spec, total);
    return new EmbeddingSet(
        spec.role(),
        spec.path(),
        EmbeddingFormat.NPY,
        dim,
        total,
        spec.columns(),
        metadata != null,
        hasText,
        files,
        splits);
  }

  static Npy.Header npyHeader(String file, Configuration conf) {
    Path p = new Path(file);
    FileSystem fs = HadoopFiles.fs(p, conf);
    try (FSDataInputStream in = fs.open(p)) {
      long size = fs.getFileStatus(p).getLen();
      byte[] first = new byte[12];
      if (size < 12) {
        throw new IllegalArgumentException(
            "Invalid .npy file "
                + file
                + ": "
                + size
                + " bytes (truncated: too short for a header)");
      }
      in.readFully(0, first);
      byte[] dict = new byte[(int) Npy.headerLength(first, file)];
      in.readFully(Npy.headerStart(first, file), dict);
      return Npy.parseHeader(first, dict, size, file);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read .npy header of " + file, e);
    }
  }

  /**
   * Opens the footer of the Parquet file {@code file}, through channels where it is local ({@link
   * LocalParquetFile}): parquet-mr's own open of a local file through Hadoop took about 10 ms even
   * warm (about 0.3 ms this way), and a run opens each file's footer once at plan time and once per
   * split and pass.
   */
  static ParquetFileReader openFooter(String file, Configuration conf) {
    InputFile input;
    try {
      input = LocalParquetFile.open(new Path(file), conf);
    } catch (IOException | RuntimeException e) {
      throw footerFailure(file, e);
    }
    return openFooter(input, file, conf);
  }

  /** Opens the footer of {@code input}, the Parquet file {@code file}. */
  static ParquetFileReader openFooter(InputFile input, String file, Configuration conf) {
    try {
      return ParquetFileReader.open(input, HadoopReadOptions.builder(conf, new Path(file)).build());
    } catch (IOException | RuntimeException e) {
      throw footerFailure(file, e);
    }
  }

  /** "Invalid Parquet file F for R embeddings: column 'C'", the start of a plan failure. */
  static String invalidColumn(String file, String role, String column) {
    return "Invalid Parquet file " + file + " for " + role + " embeddings: column '" + column + "'";
  }

  /** "Invalid Parquet file F: cannot read its footer (cause)". */
  static IllegalArgumentException footerFailure(String file, Exception e) {
    return new IllegalArgumentException(
        "Invalid Parquet file " + file + ": cannot read its footer (" + e.getMessage() + ")", e);
  }

  private static EmbeddingSet planParquet(Spec spec, List<String> files, Configuration conf) {
    Columns cols = spec.columns();
    long total = 0;
    boolean idsFromColumn = false;
    boolean hasText = false;
    List<List<BlockMetaData>> blocks = new ArrayList<>();
    List<FileMetaData> footers = new ArrayList<>();
    for (int i = 0; i < files.size(); i++) {
      String file = files.get(i);
      try (ParquetFileReader r = openFooter(file, conf)) {
        MessageType schema = r.getFooter().getFileMetaData().getSchema();
        ParquetSchemaChecks.checkVector(schema, spec, file);
        boolean hasId = schema.containsField(cols.id());
        if (hasId) {
          ParquetSchemaChecks.checkIdType(schema, spec, file);
        }
        if (i == 0) {
          idsFromColumn = hasId;
        } else if (hasId != idsFromColumn) {
          throw new IllegalArgumentException(
              invalidColumn(file, spec.role(), cols.id())
                  + " "
                  + (hasId ? "present" : "missing")
                  + " (must be "
                  + (idsFromColumn ? "present" : "missing")
                  + " as in "
                  + files.get(0)
                  + ")");
        }
        hasText |= ParquetSchemaChecks.checkText(schema, spec, file);
        blocks.add(r.getFooter().getBlocks());
        footers.add(r.getFooter().getFileMetaData());
        total += r.getRecordCount();
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot read Parquet footer of " + file, e);
      }
    }
    requireRows(spec, total);
    int dim = ParquetDimension.infer(spec, files, footers, conf);
    int per = splitRows(spec, total);
    List<EmbeddingSplit> splits = new ArrayList<>();
    for (int i = 0; i < files.size(); i++) {
      cutParquet(files.get(i), blocks.get(i), per, splits);
    }
    return new EmbeddingSet(
        spec.role(),
        spec.path(),
        EmbeddingFormat.PARQUET,
        dim,
        total,
        cols,
        idsFromColumn,
        hasText,
        files,
        splits);
  }

  /**
   * Cuts one Parquet file into splits of about {@code per} rows: small row groups are gathered
   * whole until they hold {@code per} rows; a row group of more than {@code per} rows (pyarrow
   * writes a file of up to 1 Mi rows as one) becomes equal row ranges of at most {@code per} rows,
   * so one big file keeps every core busy. The reader skips to a range's first row by the page
   * headers, and ids never depend on the cut (column ids, or {@code <stem>-<row in file>}).
   */
  private static void cutParquet(
      String file, List<BlockMetaData> blocks, int per, List<EmbeddingSplit> splits) {
    String stem = HadoopFiles.stem(file);
    long fileRow = 0;
    long first = 0;
    long rows = 0;
    long start = -1;
    long end = 0;
    for (BlockMetaData b : blocks) {
      long n = b.getRowCount();
      if (n == 0) {
        continue;
      }
      long blockEnd = b.getStartingPos() + b.getCompressedSize();
      if (n > per) {
        if (rows > 0) {
          splits.add(
              new EmbeddingSplit(
                  splits.size(),
                  EmbeddingFormat.PARQUET,
                  file,
                  first,
                  rows,
                  start,
                  end,
                  null,
                  stem));
          start = -1;
          rows = 0;
        }
        long pieces = (n + per - 1) / per;
        for (long k = 0; k < pieces; k++) {
          long from = n * k / pieces;
          long to = n * (k + 1) / pieces;
          splits.add(
              new EmbeddingSplit(
                  splits.size(),
                  EmbeddingFormat.PARQUET,
                  file,
                  fileRow + from,
                  to - from,
                  b.getStartingPos(),
                  blockEnd,
                  null,
                  stem));
        }
        fileRow += n;
        continue;
      }
      if (start < 0) {
        start = b.getStartingPos();
        first = fileRow;
      }
      end = blockEnd;
      rows += n;
      fileRow += n;
      if (rows >= per) {
        splits.add(
            new EmbeddingSplit(
                splits.size(), EmbeddingFormat.PARQUET, file, first, rows, start, end, null, stem));
        start = -1;
        rows = 0;
      }
    }
    if (rows > 0) {
      splits.add(
          new EmbeddingSplit(
              splits.size(), EmbeddingFormat.PARQUET, file, first, rows, start, end, null, stem));
    }
  }

  private static void requireRows(Spec spec, long total) {
    if (total == 0) {
      throw new IllegalArgumentException(
          "Invalid "
              + spec.role()
              + " embeddings "
              + spec.path()
              + ": 0 rows (an empty input cannot be fitted or aligned)");
    }
  }

  /**
   * Opens a reader over one split of a planned set.
   *
   * @param idsOnly read ids (and texts) but not vectors: for the duplicate-id pass
   */
  public static SplitReader open(
      EmbeddingSet set, EmbeddingSplit split, boolean idsOnly, Configuration conf) {
    return split.format() == EmbeddingFormat.NPY
        ? new NpySplitReader(split, split.rangeStart(), set.columns(), idsOnly, conf)
        : new ParquetSplitReader(split, set.columns(), set.idsFromColumn(), idsOnly, conf);
  }
}
