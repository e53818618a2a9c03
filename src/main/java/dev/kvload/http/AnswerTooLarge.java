package dev.kvload.http;

/**
 * An answer longer than any Key Vault or token endpoint sends: read no further, never retried. A
 * hostile or broken host could otherwise fill the memory of every kvload that asks it.
 */
public final class AnswerTooLarge extends RuntimeException {
  AnswerTooLarge(long limit) {
    super("an answer larger than " + (limit >> 20) + " MiB", null, false, false);
  }
}
