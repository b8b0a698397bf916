package dev.realign.sink;

import java.io.Serializable;

/** A written shard file: its name relative to its directory, rows, size and SHA-256. */
public record ShardInfo(String name, long rows, long bytes, String sha256) implements Serializable {}
