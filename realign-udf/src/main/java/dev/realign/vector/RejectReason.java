package dev.realign.vector;

/**
 * Why a row was not used. Every rejected row carries exactly one reason; the {@link #code()} is the
 * stable string written to the {@code reason} column of rejected datasets.
 */
public enum RejectReason {
  /** The vector itself is missing (null array or null column value). */
  NULL_VECTOR("null_vector"),
  /** The vector has a different number of components than the embedding set. */
  WRONG_DIMENSION("wrong_dimension"),
  /** At least one component is NaN or infinite. */
  NON_FINITE("non_finite"),
  /** The L2 norm is below {@link RowValidator#MIN_NORM}: the direction is undefined. */
  ZERO_NORM("zero_norm"),
  /** The row id is null or empty. */
  NULL_ID("null_id"),
  /** The row id was already seen in the same input; the first occurrence in input order wins. */
  DUPLICATE_ID("duplicate_id"),
  /** The text is null or empty (encode stage). */
  EMPTY_TEXT("empty_text"),
  /** The text could not be decoded or parsed (encode stage). */
  UNREADABLE_TEXT("unreadable_text");

  private final String code;

  RejectReason(String code) {
    this.code = code;
  }

  public String code() {
    return code;
  }

  public static RejectReason fromCode(String code) {
    for (RejectReason r : values()) {
      if (r.code.equals(code)) {
        return r;
      }
    }
    throw new IllegalArgumentException(
        "Invalid reject reason: "
            + code
            + " (must be one of "
            + java.util.Arrays.stream(values()).map(RejectReason::code).toList()
            + ")");
  }
}
