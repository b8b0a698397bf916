package dev.realign.source;

/** A page whose levels or values do not add up; the column reader adds file and row group. */
final class CorruptPageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  CorruptPageException(String message) {
    super(message);
  }
}
