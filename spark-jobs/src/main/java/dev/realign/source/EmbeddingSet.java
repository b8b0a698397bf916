package dev.realign.source;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * A planned, checked embedding set: its files, dimension and splits. Planning reads only headers
 * and footers, so every input-level problem is found before any work starts. A plain class (it is
 * shipped to executors, and Spark's Kryo cannot serialise records).
 */
public final class EmbeddingSet implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String role;
  private final String path;
  private final EmbeddingFormat format;
  private final int dim;
  private final long rows;
  private final Columns columns;
  private final boolean idsFromColumn;
  private final boolean hasText;
  private final List<String> files;
  private final List<EmbeddingSplit> splits;

  /**
   * @param role "text" or "image": names the set in messages and output paths
   * @param idsFromColumn whether ids come from a column (and so may repeat) or are made up
   * @param hasText whether rows carry a text column
   */
  public EmbeddingSet(
      String role,
      String path,
      EmbeddingFormat format,
      int dim,
      long rows,
      Columns columns,
      boolean idsFromColumn,
      boolean hasText,
      List<String> files,
      List<EmbeddingSplit> splits) {
    this.role = role;
    this.path = path;
    this.format = format;
    this.dim = dim;
    this.rows = rows;
    this.columns = columns;
    this.idsFromColumn = idsFromColumn;
    this.hasText = hasText;
    this.files = new java.util.ArrayList<>(files);
    this.splits = new java.util.ArrayList<>(splits);
  }

  public String role() {
    return role;
  }

  public String path() {
    return path;
  }

  public EmbeddingFormat format() {
    return format;
  }

  public int dim() {
    return dim;
  }

  public long rows() {
    return rows;
  }

  public Columns columns() {
    return columns;
  }

  public boolean idsFromColumn() {
    return idsFromColumn;
  }

  public boolean hasText() {
    return hasText;
  }

  public List<String> files() {
    return java.util.Collections.unmodifiableList(files);
  }

  public List<EmbeddingSplit> splits() {
    return java.util.Collections.unmodifiableList(splits);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EmbeddingSet s
        && role.equals(s.role)
        && path.equals(s.path)
        && format == s.format
        && dim == s.dim
        && rows == s.rows
        && columns.equals(s.columns)
        && idsFromColumn == s.idsFromColumn
        && hasText == s.hasText
        && files.equals(s.files)
        && splits.equals(s.splits);
  }

  @Override
  public int hashCode() {
    return Objects.hash(role, path, dim, rows, files);
  }
}
