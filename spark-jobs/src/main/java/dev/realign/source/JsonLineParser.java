package dev.realign.source;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.realign.vector.RejectReason;

/**
 * One JSONL line to a {@link CorpusRecord}: the text is the string field {@code textField}, the id
 * the string or integer field {@code idField} (or, with {@code idField} null, a {@link StableIds
 * stable id} from the file and line). A blank line, invalid JSON, a line that is not an object or a
 * non-string text is a reject with {@code file:line} as location.
 */
final class JsonLineParser {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private final String idField;
  private final String textField;

  JsonLineParser(String idField, String textField) {
    this.idField = idField;
    this.textField = textField;
  }

  CorpusRecord parse(String rel, long n, String line) {
    String loc = CorpusRecord.location(rel, n);
    if (line.isBlank()) {
      return CorpusRecord.rejected(null, loc, RejectReason.EMPTY_TEXT, "blank line at " + loc);
    }
    JsonNode node;
    try {
      node = JSON.readTree(line);
    } catch (JsonProcessingException e) {
      return CorpusRecord.rejected(
          null,
          loc,
          RejectReason.UNREADABLE_TEXT,
          "invalid JSON at " + loc + ": " + e.getOriginalMessage());
    }
    if (node == null || !node.isObject()) {
      return CorpusRecord.rejected(
          null, loc, RejectReason.UNREADABLE_TEXT, "not a JSON object at " + loc);
    }
    String id;
    if (idField == null) {
      id = StableIds.lineId(rel, n);
    } else {
      JsonNode idNode = node.get(idField);
      id =
          idNode == null || idNode.isNull()
              ? null
              : idNode.isTextual()
                  ? idNode.textValue()
                  : idNode.isIntegralNumber() ? idNode.asText() : null;
      if (id == null || id.isEmpty()) {
        String what =
            idNode == null || idNode.isNull()
                ? "missing or null"
                : idNode.isTextual()
                    ? "empty"
                    : "not a string or integer (" + idNode.getNodeType() + ")";
        return CorpusRecord.rejected(
            null,
            loc,
            RejectReason.NULL_ID,
            "id field '" + idField + "' is " + what + " at " + loc);
      }
    }
    JsonNode textNode = node.get(textField);
    if (textNode == null || textNode.isNull()) {
      return CorpusRecord.rejected(
          id,
          loc,
          RejectReason.EMPTY_TEXT,
          "text field '" + textField + "' is missing or null at " + loc);
    }
    if (!textNode.isTextual()) {
      return CorpusRecord.rejected(
          id,
          loc,
          RejectReason.UNREADABLE_TEXT,
          "text field '"
              + textField
              + "' is not a string ("
              + textNode.getNodeType()
              + ") at "
              + loc);
    }
    return CorpusRecord.ofText(id, textNode.textValue(), loc);
  }
}
