/**
 * Corpus input: {@link dev.realign.source.CorpusFiles} lists a file, folder or glob in a
 * deterministic order; {@link dev.realign.source.CorpusReader} turns one file (JSONL, plain text or
 * Parquet, each optionally gzip-compressed) into {@link dev.realign.source.CorpusRecord}s — texts
 * with ids, or rejects with a {@link dev.realign.vector.RejectReason} and a {@code file:line}
 * location. Ids of records without one are {@link dev.realign.source.StableIds}.
 */
package dev.realign.source;
