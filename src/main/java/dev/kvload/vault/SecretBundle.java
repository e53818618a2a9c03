package dev.kvload.vault;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.time.Instant;

/**
 * The fields kvload reads from Key Vault's answer to a secret GET (its {@code SecretBundle}), and
 * the inner error code of a refusal.
 *
 * <p>Read with jackson-core's streaming parser, which kvload already loads for manifests: the SDK's
 * generated client would build a REST proxy and Jackson's object mapper first, about a tenth of a
 * second of start-up for five fields (bench/levers.md).
 *
 * @param value the secret's value, or null when the answer had none
 * @param version the last segment of the secret's {@code id}, or null
 * @param notBefore {@code attributes.nbf}, or null
 * @param expires {@code attributes.exp}, or null
 * @param contentType {@code contentType}, or null
 */
record SecretBundle(
    String value, String version, Instant notBefore, Instant expires, String contentType) {
  private static final JsonFactory JSON = new JsonFactory();

  SecretBundle(String value, String version, Instant notBefore, Instant expires) {
    this(value, version, notBefore, expires, null);
  }

  /**
   * @throws IOException when the body is not JSON; its message never quotes the body, which on a
   *     successful answer holds a secret
   */
  static SecretBundle parse(byte[] body) throws IOException {
    String value = null;
    String id = null;
    Instant notBefore = null;
    Instant expires = null;
    String contentType = null;
    try (JsonParser parser = JSON.createParser(body)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw new MalformedJson();
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        JsonToken token = parser.nextToken();
        switch (field) {
          case "value" -> value = token == JsonToken.VALUE_STRING ? parser.getText() : null;
          case "id" -> id = token == JsonToken.VALUE_STRING ? parser.getText() : null;
          case "contentType" ->
              contentType = token == JsonToken.VALUE_STRING ? parser.getText() : null;
          case "attributes" -> {
            if (token != JsonToken.START_OBJECT) {
              parser.skipChildren();
              continue;
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
              String attribute = parser.currentName();
              JsonToken time = parser.nextToken();
              Instant instant =
                  time == JsonToken.VALUE_NUMBER_INT
                      ? Instant.ofEpochSecond(parser.getLongValue())
                      : null;
              switch (attribute) {
                case "nbf" -> notBefore = instant;
                case "exp" -> expires = instant;
                default -> parser.skipChildren();
              }
            }
          }
          default -> parser.skipChildren();
        }
      }
      if (parser.currentToken() != JsonToken.END_OBJECT) {
        // Cut short: what was read may be only part of the value.
        throw new MalformedJson();
      }
    } catch (IOException | RuntimeException e) {
      // Jackson's messages can quote what they choke on: keep only that it was not JSON.
      throw new MalformedJson();
    }
    return new SecretBundle(value, version(id), notBefore, expires, contentType);
  }

  /**
   * {@code error.innererror.code} of an error answer, such as {@code SecretDisabled}: the one part
   * of a 403 that tells a disabled secret from a refused caller. Empty when absent or not JSON.
   */
  static String innerErrorCode(byte[] body) {
    try (JsonParser parser = JSON.createParser(body)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return "";
      }
      String[] path = {"error", "innererror", "code"};
      int depth = 0;
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        JsonToken token = parser.nextToken();
        if (!parser.currentName().equals(path[depth])) {
          parser.skipChildren();
        } else if (depth == path.length - 1) {
          return token == JsonToken.VALUE_STRING ? parser.getText() : "";
        } else if (token == JsonToken.START_OBJECT) {
          depth++;
        } else {
          return "";
        }
      }
    } catch (IOException | RuntimeException e) {
      // Not JSON: no inner code.
    }
    return "";
  }

  private static String version(String id) {
    if (id == null) {
      return null;
    }
    String path = id.endsWith("/") ? id.substring(0, id.length() - 1) : id;
    int slash = path.lastIndexOf('/');
    return slash < 0 ? null : path.substring(slash + 1);
  }

  /** A body that is not Key Vault's JSON; the name (with "Json") is what the reasons look for. */
  static final class MalformedJson extends IOException {
    MalformedJson() {
      super("not a JSON object", null);
    }
  }
}
