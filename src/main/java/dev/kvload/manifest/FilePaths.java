package dev.kvload.manifest;

import java.util.regex.Pattern;

/**
 * Which names a manifest may give its files and templates: relative paths inside the files folder
 * (or the manifest's folder), plain enough that no shell, no {@code /proc} path and no other user
 * can make them mean something else. A manifest comes with a repository, so its paths are hostile
 * until checked.
 */
public final class FilePaths {
  /** One path segment: letters, digits, '.', '_', '-'; not starting with '-' (an option). */
  private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._][A-Za-z0-9._-]{0,127}");

  private static final int MAX_DEPTH = 8;
  private static final int MAX_LENGTH = 255;

  private FilePaths() {}

  /** What is wrong with {@code path}, or null when it is a fine relative path. */
  public static String problem(String path) {
    String hint = "use a relative path of letters, digits, '.', '_' and '-' such as tls/cert.pem";
    if (path.isEmpty()) {
      return "an empty path; " + hint;
    }
    if (path.startsWith("/") || path.startsWith("~") || path.matches("^[A-Za-z]:.*")) {
      return "an absolute path: files are written under the files folder only; " + hint;
    }
    if (path.length() > MAX_LENGTH) {
      return "a path longer than " + MAX_LENGTH + " characters; " + hint;
    }
    String[] segments = path.split("/", -1);
    if (segments.length > MAX_DEPTH) {
      return "more than " + MAX_DEPTH + " folders deep; " + hint;
    }
    for (String segment : segments) {
      if (segment.equals("..")) {
        return "'..' would leave the files folder; " + hint;
      }
      if (segment.isEmpty() || segment.equals(".")) {
        return "an empty or '.' segment (// or /./); " + hint;
      }
      if (!SEGMENT.matcher(segment).matches()) {
        return "a name with characters other than letters, digits, '.', '_' and '-' (or"
            + " starting with '-'); "
            + hint;
      }
    }
    return null;
  }
}
