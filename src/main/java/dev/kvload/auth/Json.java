package dev.kvload.auth;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/** The little JSON the auth code reads: an answer's top-level fields, a JWT's claims. */
final class Json {
  private static final JsonFactory JSON = new JsonFactory();

  private Json() {}

  /** The top-level string and number fields of a JSON object; empty when it is not one. */
  static Map<String, String> topLevel(byte[] json) {
    Map<String, String> fields = new HashMap<>();
    // Not (all) JSON: what was read so far is all there is.
    read(json, fields);
    return fields;
  }

  /**
   * The top-level string and number fields of a JSON object that is whole: null when the text is
   * not JSON, not an object, cut short or followed by more.
   */
  static Map<String, String> whole(byte[] json) {
    Map<String, String> fields = new HashMap<>();
    return read(json, fields) ? fields : null;
  }

  /** Reads the fields into {@code fields}; true when the text was one whole object. */
  private static boolean read(byte[] json, Map<String, String> fields) {
    try (JsonParser parser = JSON.createParser(json)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return false;
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        JsonToken value = parser.nextToken();
        if (value == JsonToken.VALUE_STRING
            || value == JsonToken.VALUE_NUMBER_INT
            || value == JsonToken.VALUE_NUMBER_FLOAT) {
          fields.put(name, parser.getText());
        } else {
          parser.skipChildren();
        }
      }
      return parser.currentToken() == JsonToken.END_OBJECT && parser.nextToken() == null;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * A JWT's payload claims that are strings or numbers, unverified: kvload only reads {@code exp},
   * {@code iss} and {@code sub} (never secret) to explain a refusal.
   */
  static Map<String, String> claims(String jwt) {
    String[] parts = jwt.strip().split("\\.");
    if (parts.length < 2) {
      return Map.of();
    }
    try {
      return topLevel(Base64.getUrlDecoder().decode(parts[1]));
    } catch (IllegalArgumentException e) {
      return Map.of();
    }
  }
}
