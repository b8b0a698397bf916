package dev.realign.source;

import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;

/**
 * The column checks of a Parquet embedding file: the vector column is list<float> (or
 * list<FLOAT16>) or plain fixed-width binary, the id column string, int or long, the text column a
 * string; each failure names the file, the column, its type and what it must be.
 */
final class ParquetSchemaChecks {
  private ParquetSchemaChecks() {}

  static void checkVector(MessageType schema, EmbeddingSetPlanner.Spec spec, String file) {
    String col = spec.columns().vector();
    if (!schema.containsField(col)) {
      throw new IllegalArgumentException(
          "Invalid Parquet file "
              + file
              + " for "
              + spec.role()
              + " embeddings: no column '"
              + col
              + "' (must be list<float> or binary; columns: "
              + schema.getFields().stream().map(Type::getName).toList()
              + ")");
    }
    Type t = schema.getType(col);
    if (t.isPrimitive()) {
      PrimitiveTypeName p = t.asPrimitiveType().getPrimitiveTypeName();
      if (p == PrimitiveTypeName.BINARY || p == PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY) {
        // Plain bytes only: a string (or other annotated binary) is not a vector.
        if (!t.isRepetition(Type.Repetition.REPEATED) && t.getLogicalTypeAnnotation() == null) {
          return;
        }
      }
      if (p == PrimitiveTypeName.FLOAT && t.isRepetition(Type.Repetition.REPEATED)) {
        return;
      }
    } else if (isListOfFloat(t.asGroupType())) {
      return;
    }
    throw new IllegalArgumentException(
        "Invalid column '"
            + col
            + "' in "
            + file
            + " for "
            + spec.role()
            + " embeddings: type "
            + t.toString().trim().replaceAll("\\s+", " ")
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
    return rg.getFieldCount() == 1
        && rg.getType(0).isPrimitive()
        && (rg.getType(0).asPrimitiveType().getPrimitiveTypeName() == PrimitiveTypeName.FLOAT
            || isFloat16(rg.getType(0).asPrimitiveType()));
  }

  /** Parquet FLOAT16 (our float16 shards): read as the exact floats of the halves. */
  private static boolean isFloat16(PrimitiveType p) {
    return p.getPrimitiveTypeName() == PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY
        && p.getTypeLength() == 2
        && p.getLogicalTypeAnnotation()
            instanceof LogicalTypeAnnotation.Float16LogicalTypeAnnotation;
  }

  static void requireId(MessageType schema, EmbeddingSetPlanner.Spec spec, String file) {
    if (!schema.containsField(spec.columns().id())) {
      throw new IllegalArgumentException(
          "Invalid metadata file "
              + file
              + " for "
              + spec.role()
              + " embeddings: no column '"
              + spec.columns().id()
              + "' (must hold the row ids)");
    }
    checkIdType(schema, spec, file);
  }

  static void checkIdType(MessageType schema, EmbeddingSetPlanner.Spec spec, String file) {
    Type t = schema.getType(spec.columns().id());
    if (t.isPrimitive() && !t.isRepetition(Type.Repetition.REPEATED)) {
      PrimitiveType p = t.asPrimitiveType();
      PrimitiveTypeName n = p.getPrimitiveTypeName();
      if (n == PrimitiveTypeName.INT32
          || n == PrimitiveTypeName.INT64
          || (n == PrimitiveTypeName.BINARY && isString(p))) {
        return;
      }
    }
    throw new IllegalArgumentException(
        "Invalid column '"
            + spec.columns().id()
            + "' in "
            + file
            + ": type "
            + t.toString().trim()
            + " (must be string, int or long)");
  }

  static boolean checkText(MessageType schema, EmbeddingSetPlanner.Spec spec, String file) {
    String col = spec.columns().text();
    if (!schema.containsField(col)) {
      return false;
    }
    Type t = schema.getType(col);
    if (t.isPrimitive()
        && t.asPrimitiveType().getPrimitiveTypeName() == PrimitiveTypeName.BINARY
        && !t.isRepetition(Type.Repetition.REPEATED)) {
      return true;
    }
    throw new IllegalArgumentException(
        "Invalid column '"
            + col
            + "' in "
            + file
            + ": type "
            + t.toString().trim()
            + " (must be string)");
  }

  private static boolean isString(PrimitiveType p) {
    LogicalTypeAnnotation a = p.getLogicalTypeAnnotation();
    return a == null || a instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation;
  }
}
