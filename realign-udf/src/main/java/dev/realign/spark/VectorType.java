package dev.realign.spark;

import java.util.List;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/**
 * The column types an embedding can have in a user's DataFrame, and the conversions between their
 * external values and the {@code float[]} rows of the kernels. Doubles are rounded to float32 on
 * the way in (the encoders' precision, and what the CLI reads), so every type aligns through one
 * kernel; the output has the input's type.
 */
public enum VectorType {
  FLOAT_ARRAY(DataTypes.createArrayType(DataTypes.FloatType)),
  DOUBLE_ARRAY(DataTypes.createArrayType(DataTypes.DoubleType)),
  ML_VECTOR(SQLDataTypes.VectorType());

  private final DataType sqlType;

  VectorType(DataType sqlType) {
    this.sqlType = sqlType;
  }

  /** The Spark SQL type of columns of this kind (arrays with nullable elements). */
  public DataType sqlType() {
    return sqlType;
  }

  /**
   * The kind of a column type.
   *
   * @throws IllegalArgumentException naming the column, its type and the accepted types
   */
  public static VectorType of(String column, DataType type) {
    if (type instanceof ArrayType a) {
      if (a.elementType().equals(DataTypes.FloatType)) {
        return FLOAT_ARRAY;
      }
      if (a.elementType().equals(DataTypes.DoubleType)) {
        return DOUBLE_ARRAY;
      }
    } else if (type.equals(SQLDataTypes.VectorType())) {
      return ML_VECTOR;
    }
    throw new IllegalArgumentException(
        "Invalid type of column "
            + column
            + ": "
            + type.catalogString()
            + " (must be array<float>, array<double> or an ml.linalg.Vector)");
  }

  /**
   * The components of an external value (what a Row or a UDF receives: a Scala or Java sequence, a
   * primitive array or a Vector) as floats; null for a null value.
   *
   * @throws NullPointerException never: a null element becomes NaN and is rejected as non-finite
   */
  public static float[] toFloats(Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof float[] f) {
      return f;
    }
    if (value instanceof double[] d) {
      return narrow(d);
    }
    if (value instanceof Vector v) {
      return narrow(v.toArray());
    }
    if (value instanceof scala.collection.Seq<?> seq) {
      float[] out = new float[seq.length()];
      scala.collection.Iterator<?> it = seq.iterator();
      for (int j = 0; it.hasNext(); j++) {
        out[j] = element(it.next());
      }
      return out;
    }
    if (value instanceof List<?> list) {
      float[] out = new float[list.size()];
      for (int j = 0; j < out.length; j++) {
        out[j] = element(list.get(j));
      }
      return out;
    }
    throw new IllegalArgumentException(
        "Invalid vector value: "
            + value.getClass().getName()
            + " (must be an array of float or double, or an ml.linalg.Vector)");
  }

  private static float element(Object o) {
    return o == null ? Float.NaN : ((Number) o).floatValue();
  }

  private static float[] narrow(double[] d) {
    float[] out = new float[d.length];
    for (int j = 0; j < d.length; j++) {
      out[j] = (float) d[j];
    }
    return out;
  }

  /** The external value of this type holding {@code row} (what a UDF of this type returns). */
  public Object fromFloats(float[] row) {
    if (this == FLOAT_ARRAY) {
      return row;
    }
    double[] d = new double[row.length];
    for (int j = 0; j < row.length; j++) {
      d[j] = row[j];
    }
    return this == DOUBLE_ARRAY ? d : new DenseVector(d);
  }
}
