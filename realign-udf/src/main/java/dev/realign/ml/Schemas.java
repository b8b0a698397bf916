package dev.realign.ml;

import dev.realign.spark.VectorType;
import java.util.Arrays;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** The schema rules of {@link ReAlign} and {@link ReAlignModel}. */
final class Schemas {
  private Schemas() {}

  /**
   * Checks the input and modality columns and appends {@code outputCol} (the input's type).
   *
   * @param modalityOptional true when every row may be a text (a stored image sketch, or a model)
   */
  static StructType validateAndAppend(
      ReAlignParams p, StructType schema, boolean modalityOptional) {
    String in = p.getInputCol();
    if (!Arrays.asList(schema.fieldNames()).contains(in)) {
      throw new IllegalArgumentException(
          "Missing input column: "
              + in
              + " (the schema has "
              + Arrays.toString(schema.fieldNames())
              + "; set inputCol)");
    }
    StructField input = schema.apply(in);
    VectorType.of(in, input.dataType());
    String mod = p.getModalityCol();
    if (Arrays.asList(schema.fieldNames()).contains(mod)) {
      if (!schema.apply(mod).dataType().equals(DataTypes.StringType)) {
        throw new IllegalArgumentException(
            "Invalid type of column "
                + mod
                + ": "
                + schema.apply(mod).dataType().catalogString()
                + " (must be string: \""
                + p.getTextValue()
                + "\" or \""
                + p.getImageValue()
                + "\")");
      }
    } else if (!modalityOptional) {
      throw new IllegalArgumentException(
          "Missing modality column: "
              + mod
              + " (the schema has "
              + Arrays.toString(schema.fieldNames())
              + "; set modalityCol, or imageStatsPath to fit"
              + " text rows against a stored image sketch)");
    }
    String out = p.getOutputCol();
    if (Arrays.asList(schema.fieldNames()).contains(out)) {
      throw new IllegalArgumentException(
          "Invalid outputCol: "
              + out
              + " (must not exist in the"
              + " input; the schema has "
              + Arrays.toString(schema.fieldNames())
              + ")");
    }
    return schema.add(new StructField(out, input.dataType(), true, input.metadata()));
  }
}
