package dev.realign.source;

import dev.realign.io.Npy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import dev.realign.vector.RejectReason;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;

/**
 * Plans an embedding set from headers and footers alone: lists the files in sorted order, checks
 * every file's schema and dimension, and cuts the rows into splits. Every input-level problem
 * (missing path, wrong type, mixed dimensions, no rows) fails here, before any work, naming the
 * file, the column and what was expected.
 */
public final class EmbeddingSetPlanner {
  /** What to plan. */
  public record Spec(String role, String path, EmbeddingFormat format, String metadataPath,
      Columns columns, int splitRows, int partitions) {}

  private EmbeddingSetPlanner() {}

  public static EmbeddingSet plan(Spec spec, Configuration conf) {
    EmbeddingFormat format = spec.format();
    if (format == null) {
      format = detect(spec, conf);
    }
    EmbeddingFormat f = format;
    List<String> files = HadoopFiles.listInputs(spec.path(), conf,
        name -> EmbeddingFormat.ofFileName(name) == f, spec.role() + " embeddings");
    return f == EmbeddingFormat.NPY ? planNpy(spec, files, conf) : planParquet(spec, files, conf);
  }

  private static EmbeddingFormat detect(Spec spec, Configuration conf) {
    List<String> all = HadoopFiles.listInputs(spec.path(), conf,
        name -> EmbeddingFormat.ofFileName(name) != null, spec.role() + " embeddings");
    EmbeddingFormat first = EmbeddingFormat.ofFileName(new Path(all.get(0)).getName());
    if (first == null) {
      throw new IllegalArgumentException("Invalid " + spec.role() + " embeddings " + all.get(0)
          + ": unknown format (must end in .npy or .parquet, or set input." + spec.role()
          + ".format)");
    }
    for (String file : all) {
      if (EmbeddingFormat.ofFileName(new Path(file).getName()) != first) {
        throw new IllegalArgumentException("Invalid " + spec.role() + " embeddings " + spec.path()
            + ": mixes .npy and .parquet files (must be one format; found " + file + ")");
      }
    }
    return first;
  }

  private static int splitRows(Spec spec, long totalRows) {
    if (spec.partitions() > 0) {
      return (int) Math.max(1, Math.min(Integer.MAX_VALUE,
          (totalRows + spec.partitions() - 1) / spec.partitions()));
    }
    return spec.splitRows();
  }

  private static EmbeddingSet planNpy(Spec spec, List<String> files, Configuration conf) {
    List<Npy.Header> headers = new ArrayList<>();
    int dim = -1;
    long total = 0;
    for (String file : files) {
      Npy.Header h = npyHeader(file, conf);
      if (h.shape().length != 2) {
        throw new IllegalArgumentException("Invalid .npy file " + file + " for " + spec.role()
            + " embeddings: shape " + java.util.Arrays.toString(h.shape())
            + " (must be 2-D: rows x dimension)");
      }
      int d = (int) h.shape()[1];
      if (d <= 0) {
        throw new IllegalArgumentException("Invalid .npy file " + file + ": dimension " + d
            + " (must be > 0)");
      }
      if (dim < 0) {
        dim = d;
      } else if (d != dim) {
        throw new IllegalArgumentException("Invalid .npy file " + file + " for " + spec.role()
            + " embeddings: dimension expected " + dim + " (from " + files.get(0) + "), actual "
            + d);
      }
      headers.add(h);
      total += h.rows();
    }
    List<String> metadata = null;
    boolean hasText = false;
    if (spec.metadataPath() != null && !spec.metadataPath().isBlank()) {
      metadata = HadoopFiles.listInputs(spec.metadataPath(), conf,
          name -> EmbeddingFormat.ofFileName(name) == EmbeddingFormat.PARQUET,
          spec.role() + " metadata");
      if (metadata.size() != files.size()) {
        throw new IllegalArgumentException("Invalid " + spec.role() + " metadata "
            + spec.metadataPath() + ": expected " + files.size() + " Parquet files (one per .npy"
            + " file, paired in sorted order), actual " + metadata.size());
      }
      for (int i = 0; i < files.size(); i++) {
        ParquetFileReader r = openFooter(metadata.get(i), conf);
        try (r) {
          MessageType schema = r.getFooter().getFileMetaData().getSchema();
          requireId(schema, spec, metadata.get(i));
          hasText |= checkText(schema, spec, metadata.get(i));
          long rows = r.getRecordCount();
          if (rows != headers.get(i).rows()) {
            throw new IllegalArgumentException("Invalid metadata file " + metadata.get(i)
                + ": expected " + headers.get(i).rows() + " rows (as " + files.get(i)
                + "), actual " + rows);
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
      for (long first = 0; first < h.rows(); first += per) {
        splits.add(new EmbeddingSplit(splits.size(), EmbeddingFormat.NPY, files.get(i), first,
            Math.min(per, h.rows() - first), h.dataOffset(), 0,
            metadata == null ? null : metadata.get(i), HadoopFiles.stem(files.get(i))));
      }
    }
    requireRows(spec, total);
    return new EmbeddingSet(spec.role(), spec.path(), EmbeddingFormat.NPY, dim, total,
        spec.columns(), metadata != null, hasText, files, splits);
  }

  static Npy.Header npyHeader(String file, Configuration conf) {
    Path p = new Path(file);
    FileSystem fs = HadoopFiles.fs(p, conf);
    try (FSDataInputStream in = fs.open(p)) {
      long size = fs.getFileStatus(p).getLen();
      byte[] first = new byte[12];
      if (size < 12) {
        throw new IllegalArgumentException("Invalid .npy file " + file + ": " + size
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

  private static ParquetFileReader openFooter(String file, Configuration conf) {
    try {
      return ParquetFileReader.open(HadoopInputFile.fromPath(new Path(file), conf));
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("Invalid Parquet file " + file + ": cannot read its"
          + " footer (" + e.getMessage() + ")", e);
    }
  }

  private static EmbeddingSet planParquet(Spec spec, List<String> files, Configuration conf) {
    Columns cols = spec.columns();
    long total = 0;
    boolean idsFromColumn = false;
    boolean hasText = false;
    List<List<BlockMetaData>> blocks = new ArrayList<>();
    for (int i = 0; i < files.size(); i++) {
      String file = files.get(i);
      try (ParquetFileReader r = openFooter(file, conf)) {
        MessageType schema = r.getFooter().getFileMetaData().getSchema();
        checkVector(schema, spec, file);
        boolean hasId = schema.containsField(cols.id());
        if (hasId) {
          checkIdType(schema, spec, file);
        }
        if (i == 0) {
          idsFromColumn = hasId;
        } else if (hasId != idsFromColumn) {
          throw new IllegalArgumentException("Invalid Parquet file " + file + " for "
              + spec.role() + " embeddings: column '" + cols.id() + "' " + (hasId ? "present"
                  : "missing") + " (must be " + (idsFromColumn ? "present" : "missing")
              + " as in " + files.get(0) + ")");
        }
        hasText |= checkText(schema, spec, file);
        blocks.add(r.getFooter().getBlocks());
        total += r.getRecordCount();
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot read Parquet footer of " + file, e);
      }
    }
    requireRows(spec, total);
    int dim = inferParquetDim(spec, files, conf);
    int per = splitRows(spec, total);
    List<EmbeddingSplit> splits = new ArrayList<>();
    for (int i = 0; i < files.size(); i++) {
      long fileRow = 0;
      long first = 0;
      long rows = 0;
      long start = -1;
      long end = 0;
      for (BlockMetaData b : blocks.get(i)) {
        if (b.getRowCount() == 0) {
          continue;
        }
        if (start < 0) {
          start = b.getStartingPos();
          first = fileRow;
        }
        end = b.getStartingPos() + b.getCompressedSize();
        rows += b.getRowCount();
        fileRow += b.getRowCount();
        if (rows >= per) {
          splits.add(new EmbeddingSplit(splits.size(), EmbeddingFormat.PARQUET, files.get(i),
              first, rows, start, end, null, HadoopFiles.stem(files.get(i))));
          start = -1;
          rows = 0;
        }
      }
      if (rows > 0) {
        splits.add(new EmbeddingSplit(splits.size(), EmbeddingFormat.PARQUET, files.get(i),
            first, rows, start, end, null, HadoopFiles.stem(files.get(i))));
      }
    }
    return new EmbeddingSet(spec.role(), spec.path(), EmbeddingFormat.PARQUET, dim, total, cols,
        idsFromColumn, hasText, files, splits);
  }

  private static void requireRows(Spec spec, long total) {
    if (total == 0) {
      throw new IllegalArgumentException("Invalid " + spec.role() + " embeddings " + spec.path()
          + ": 0 rows (an empty input cannot be fitted or aligned)");
    }
  }

  /** Vectors sampled when the schema does not fix the dimension. */
  static final int DIM_SAMPLE_ROWS = 64;
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(
      EmbeddingSetPlanner.class);

  /**
   * The dimension: from the schema where the type fixes it (fixed-width binary, or an Arrow
   * {@code fixed_size_list} recorded by pyarrow in the file's {@code ARROW:schema}), else the
   * length a strict majority of the first {@link #DIM_SAMPLE_ROWS} usable vectors agree on. Rows
   * that disagree are logged (they are rejected as {@code wrong_dimension} later); without a
   * majority the plan fails, listing the lengths seen.
   */
  static int inferParquetDim(Spec spec, List<String> files, Configuration conf) {
    String col = spec.columns().vector();
    int fromSchema = -1;
    String source = null;
    for (String file : files) {
      try (ParquetFileReader r = openFooter(file, conf)) {
        int d = schemaDim(r.getFooter().getFileMetaData(), col, file);
        if (d > 0 && fromSchema > 0 && d != fromSchema) {
          throw new IllegalArgumentException("Invalid Parquet file " + file + " for "
              + spec.role() + " embeddings: column '" + col + "' has dimension " + d
              + " by its type (must be " + fromSchema + " as in " + source + ")");
        }
        if (d > 0 && fromSchema < 0) {
          fromSchema = d;
          source = file;
        }
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot read Parquet footer of " + file, e);
      }
    }
    if (fromSchema > 0) {
      LOG.info("{} embeddings: dimension {} from the type of column '{}' in {}", spec.role(),
          fromSchema, col, source);
      return fromSchema;
    }
    List<String> where = new ArrayList<>();
    List<Integer> lengths = new ArrayList<>();
    for (String file : files) {
      if (lengths.size() >= DIM_SAMPLE_ROWS) {
        break;
      }
      sampleLengths(spec, file, conf, where, lengths);
    }
    if (lengths.isEmpty()) {
      throw new IllegalArgumentException("Invalid " + spec.role() + " embeddings " + spec.path()
          + ": no row has a usable vector in column '" + col + "'");
    }
    java.util.Map<Integer, Integer> votes = new java.util.TreeMap<>();
    lengths.forEach(n -> votes.merge(n, 1, Integer::sum));
    int best = votes.entrySet().stream().max(java.util.Map.Entry.comparingByValue()).get()
        .getKey();
    List<String> disagree = new ArrayList<>();
    for (int i = 0; i < lengths.size(); i++) {
      if (lengths.get(i) != best) {
        disagree.add(where.get(i) + " (dimension " + lengths.get(i) + ")");
      }
    }
    if (2 * votes.get(best) <= lengths.size()) {
      throw new IllegalArgumentException("Invalid " + spec.role() + " embeddings " + spec.path()
          + ": the first " + lengths.size() + " vectors of column '" + col + "' do not agree on"
          + " a dimension (lengths " + votes + " by count; must be one length for most rows):"
          + " rows " + disagree.stream().limit(10).toList());
    }
    if (!disagree.isEmpty()) {
      LOG.warn("{} embeddings: dimension {} from {} of the first {} vectors; {} disagree and will"
          + " be rejected as wrong_dimension: {}", spec.role(), best, votes.get(best),
          lengths.size(), disagree.size(), disagree.stream().limit(10).toList());
    }
    return best;
  }

  /** The dimension fixed by the vector column's type, or -1 where the type does not fix it. */
  static int schemaDim(org.apache.parquet.hadoop.metadata.FileMetaData md, String col,
      String file) {
    MessageType schema = md.getSchema();
    if (!schema.containsField(col)) {
      return -1;
    }
    Type t = schema.getType(col);
    if (t.isPrimitive()
        && t.asPrimitiveType().getPrimitiveTypeName() == PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY) {
      int bytes = t.asPrimitiveType().getTypeLength();
      if (bytes % 4 != 0 || bytes == 0) {
        throw new IllegalArgumentException("Invalid column '" + col + "' in " + file
            + ": fixed_len_byte_array(" + bytes + ") (must be d x 4 bytes little-endian)");
      }
      return bytes / 4;
    }
    return ArrowSchemas.fixedSizeListLength(md.getKeyValueMetaData().get("ARROW:schema"), col);
  }

  /** Appends the lengths (and positions) of the first usable vectors of {@code file}. */
  private static void sampleLengths(Spec spec, String file, Configuration conf,
      List<String> where, List<Integer> lengths) {
    EmbeddingSplit whole = new EmbeddingSplit(0, EmbeddingFormat.PARQUET, file, 0, 0, 0, 0, null,
        HadoopFiles.stem(file));
    RowBatch batch = new RowBatch(1, DIM_SAMPLE_ROWS);
    try (ParquetSplitReader r = new ParquetSplitReader(whole, spec.columns(), false, false,
        conf)) {
      while (lengths.size() < DIM_SAMPLE_ROWS && r.next(batch)) {
        for (int i = 0; i < batch.size && lengths.size() < DIM_SAMPLE_ROWS; i++) {
          RejectReason reason = batch.reasons[i];
          if (reason == null || reason == RejectReason.WRONG_DIMENSION) {
            float[] raw = batch.raw[i];
            int n = raw == null ? 1 : raw.length;
            if (n > 0 && !(reason != null && batch.details[i].startsWith("binary"))) {
              lengths.add(n);
              where.add(file + " row " + batch.rowInFile[i]);
            }
          }
        }
      }
    }
  }

  private static void checkVector(MessageType schema, Spec spec, String file) {
    String col = spec.columns().vector();
    if (!schema.containsField(col)) {
      throw new IllegalArgumentException("Invalid Parquet file " + file + " for " + spec.role()
          + " embeddings: no column '" + col + "' (must be list<float> or binary; columns: "
          + schema.getFields().stream().map(Type::getName).toList() + ")");
    }
    Type t = schema.getType(col);
    if (t.isPrimitive()) {
      PrimitiveTypeName p = t.asPrimitiveType().getPrimitiveTypeName();
      if (p == PrimitiveTypeName.BINARY || p == PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY) {
        // Plain bytes only: a string (or other annotated binary) is not a vector.
        if (!t.isRepetition(Type.Repetition.REPEATED)
            && t.getLogicalTypeAnnotation() == null) {
          return;
        }
      }
      if (p == PrimitiveTypeName.FLOAT && t.isRepetition(Type.Repetition.REPEATED)) {
        return;
      }
    } else if (isListOfFloat(t.asGroupType())) {
      return;
    }
    throw new IllegalArgumentException("Invalid column '" + col + "' in " + file + " for "
        + spec.role() + " embeddings: type " + t.toString().trim().replaceAll("\\s+", " ")
        + " (must be list<float> or binary of d x 4 bytes little-endian)");
  }

  private static boolean isListOfFloat(GroupType g) {
    if (g.getFieldCount() != 1) {
      return false;
    }
    Type inner = g.getType(0);
    if (!inner.isRepetition(Type.Repetition.REPEATED)) {
      return false;
    }
    if (inner.isPrimitive()) {
      return inner.asPrimitiveType().getPrimitiveTypeName() == PrimitiveTypeName.FLOAT;
    }
    GroupType rg = inner.asGroupType();
    return rg.getFieldCount() == 1 && rg.getType(0).isPrimitive()
        && (rg.getType(0).asPrimitiveType().getPrimitiveTypeName() == PrimitiveTypeName.FLOAT
            || isFloat16(rg.getType(0).asPrimitiveType()));
  }

  /** Parquet FLOAT16 (our float16 shards): read as the exact floats of the halves. */
  private static boolean isFloat16(PrimitiveType p) {
    return p.getPrimitiveTypeName() == PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY
        && p.getTypeLength() == 2
        && p.getLogicalTypeAnnotation() instanceof LogicalTypeAnnotation.Float16LogicalTypeAnnotation;
  }

  private static void requireId(MessageType schema, Spec spec, String file) {
    if (!schema.containsField(spec.columns().id())) {
      throw new IllegalArgumentException("Invalid metadata file " + file + " for " + spec.role()
          + " embeddings: no column '" + spec.columns().id() + "' (must hold the row ids)");
    }
    checkIdType(schema, spec, file);
  }

  private static void checkIdType(MessageType schema, Spec spec, String file) {
    Type t = schema.getType(spec.columns().id());
    if (t.isPrimitive() && !t.isRepetition(Type.Repetition.REPEATED)) {
      PrimitiveType p = t.asPrimitiveType();
      PrimitiveTypeName n = p.getPrimitiveTypeName();
      if (n == PrimitiveTypeName.INT32 || n == PrimitiveTypeName.INT64
          || (n == PrimitiveTypeName.BINARY && isString(p))) {
        return;
      }
    }
    throw new IllegalArgumentException("Invalid column '" + spec.columns().id() + "' in " + file
        + ": type " + t.toString().trim() + " (must be string, int or long)");
  }

  private static boolean checkText(MessageType schema, Spec spec, String file) {
    String col = spec.columns().text();
    if (!schema.containsField(col)) {
      return false;
    }
    Type t = schema.getType(col);
    if (t.isPrimitive() && t.asPrimitiveType().getPrimitiveTypeName() == PrimitiveTypeName.BINARY
        && !t.isRepetition(Type.Repetition.REPEATED)) {
      return true;
    }
    throw new IllegalArgumentException("Invalid column '" + col + "' in " + file + ": type "
        + t.toString().trim() + " (must be string)");
  }

  private static boolean isString(PrimitiveType p) {
    LogicalTypeAnnotation a = p.getLogicalTypeAnnotation();
    return a == null || a instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation;
  }

  /**
   * Opens a reader over one split of a planned set.
   *
   * @param idsOnly read ids (and texts) but not vectors: for the duplicate-id pass
   */
  public static SplitReader open(EmbeddingSet set, EmbeddingSplit split, boolean idsOnly,
      Configuration conf) {
    return split.format() == EmbeddingFormat.NPY
        ? new NpySplitReader(split, split.rangeStart(), set.columns(), idsOnly, conf)
        : new ParquetSplitReader(split, set.columns(), set.idsFromColumn(), idsOnly, conf);
  }
}
