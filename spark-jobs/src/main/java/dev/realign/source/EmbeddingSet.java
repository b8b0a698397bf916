package dev.realign.source;

import java.io.Serializable;
import java.util.List;

/**
 * A planned, checked embedding set: its files, dimension and splits. Planning reads only headers
 * and footers, so every input-level problem is found before any work starts.
 *
 * @param role "text" or "image": names the set in messages and output paths
 * @param idsFromColumn whether ids come from a column (and so may repeat) or are made up
 * @param hasText whether rows carry a text column
 */
public record EmbeddingSet(
    String role,
    String path,
    EmbeddingFormat format,
    int dim,
    long rows,
    Columns columns,
    boolean idsFromColumn,
    boolean hasText,
    List<String> files,
    List<EmbeddingSplit> splits) implements Serializable {

  public EmbeddingSet {
    files = List.copyOf(files);
    splits = List.copyOf(splits);
  }
}
