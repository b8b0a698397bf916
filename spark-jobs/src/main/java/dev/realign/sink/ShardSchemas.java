package dev.realign.sink;

import java.util.ArrayList;
import java.util.List;
import org.apache.parquet.format.ConvertedType;
import org.apache.parquet.format.FieldRepetitionType;
import org.apache.parquet.format.Float16Type;
import org.apache.parquet.format.ListType;
import org.apache.parquet.format.LogicalType;
import org.apache.parquet.format.SchemaElement;
import org.apache.parquet.format.StringType;
import org.apache.parquet.format.Type;
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
    return MessageTypeParser.parseMessageType(
        "message realign_shard {\n"
            + "  required binary id (STRING);\n"
            + (withText ? "  optional binary text (STRING);\n" : "")
            + EMBEDDING
            + "}");
  }

  /** The shard schema with float16 elements (Parquet FLOAT16: fixed_len_byte_array(2)). */
  public static MessageType shard(boolean withText, ShardFormat.Dtype dtype) {
    MessageType t = shard(withText);
    return dtype == ShardFormat.Dtype.FLOAT32
        ? t
        : MessageTypeParser.parseMessageType(
            t.toString()
                .replace(
                    "required float element",
                    "required fixed_len_byte_array(2) element (FLOAT16)"));
  }

  /**
   * The shard schema as the footer's flattened list of schema elements (depth first), as {@link
   * ShardWriter} writes it; the same tree as {@link #shard(boolean, ShardFormat.Dtype)}.
   */
  static List<SchemaElement> shardElements(boolean withText, ShardFormat.Dtype dtype) {
    List<SchemaElement> e = new ArrayList<>();
    e.add(new SchemaElement("realign_shard").setNum_children(withText ? 3 : 2));
    e.add(string("id", FieldRepetitionType.REQUIRED));
    if (withText) {
      e.add(string("text", FieldRepetitionType.OPTIONAL));
    }
    e.add(
        new SchemaElement("embedding")
            .setRepetition_type(FieldRepetitionType.REQUIRED)
            .setNum_children(1)
            .setConverted_type(ConvertedType.LIST)
            .setLogicalType(LogicalType.LIST(new ListType())));
    e.add(
        new SchemaElement("list")
            .setRepetition_type(FieldRepetitionType.REPEATED)
            .setNum_children(1));
    SchemaElement element =
        new SchemaElement("element").setRepetition_type(FieldRepetitionType.REQUIRED);
    if (dtype == ShardFormat.Dtype.FLOAT16) {
      element
          .setType(Type.FIXED_LEN_BYTE_ARRAY)
          .setType_length(2)
          .setLogicalType(LogicalType.FLOAT16(new Float16Type()));
    } else {
      element.setType(Type.FLOAT);
    }
    e.add(element);
    return e;
  }

  private static SchemaElement string(String name, FieldRepetitionType repetition) {
    return new SchemaElement(name)
        .setType(Type.BYTE_ARRAY)
        .setRepetition_type(repetition)
        .setConverted_type(ConvertedType.UTF8)
        .setLogicalType(LogicalType.STRING(new StringType()));
  }

  /** Rejected rows: everything needed to find and repair the row, and why it was rejected. */
  public static MessageType rejected() {
    return MessageTypeParser.parseMessageType(
        "message realign_rejected {\n"
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
