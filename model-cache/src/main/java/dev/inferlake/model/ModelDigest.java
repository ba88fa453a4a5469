package dev.inferlake.model;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 digests of model bytes, written as {@code sha256:<64 hex digits>}. */
public final class ModelDigest {
  /** The prefix every digest string starts with. */
  public static final String PREFIX = "sha256:";

  private ModelDigest() {}

  public static String sha256(byte[] bytes) {
    MessageDigest md = newSha256();
    md.update(bytes);
    return format(md);
  }

  /** A fresh SHA-256 digest, for hashing a stream as it is read or written. */
  public static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  /** Completes {@code md} and writes its value as {@code sha256:<hex>}. */
  public static String format(MessageDigest md) {
    return PREFIX + HexFormat.of().formatHex(md.digest());
  }
}
