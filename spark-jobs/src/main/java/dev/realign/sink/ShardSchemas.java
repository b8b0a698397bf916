package dev.realign.sink;

import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;

/** The Parquet schemas realign writes (docs/design.md section 4). */
public final class ShardSchemas {
  private ShardSchemas() {}

  private static final String EMBEDDING =
      "  required group embedding (LIST) {\n"
          + "    repeated group list {\n"
          + "      required float element;\n"
          + "    }\n"
          + "  }\n";

  /** Aligned (and encoded) shards: id, optional text, exactly d non-null floats. */
  public static MessageType shard(boolean withText) {
    return MessageTypeParser.parseMessageType("message realign_shard {\n"
        + "  required binary id (STRING);\n"
        + (withText ? "  optional binary text (STRING);\n" : "")
        + EMBEDDING
        + "}");
  }

  /** Rejected rows: everything needed to find and repair the row, and why it was rejected. */
  public static MessageType rejected() {
    return MessageTypeParser.parseMessageType("message realign_rejected {\n"
        + "  optional binary id (STRING);\n"
        + "  required binary source (STRING);\n"
        + "  required int64 row;\n"
        + "  required binary reason (STRING);\n"
        + "  optional binary detail (STRING);\n"
        + "  optional binary text (STRING);\n"
        + EMBEDDING.replace("required group", "optional group")
        + "}");
  }
}
