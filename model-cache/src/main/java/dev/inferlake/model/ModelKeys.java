package dev.inferlake.model;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeyTemplates;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.PublicKeySign;
import com.google.crypto.tink.PublicKeyVerify;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.signature.SignatureConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;

/**
 * Keys for model packages, as Tink JSON keysets: AES-256-GCM keysets encrypt payloads, Ed25519
 * keysets sign manifests (the private keyset signs, its public keyset verifies). A keyset comes
 * from a file or from an environment variable holding its JSON.
 */
public final class ModelKeys {
  static {
    try {
      AeadConfig.register();
      SignatureConfig.register();
    } catch (GeneralSecurityException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private static final byte[] FINGERPRINT_LABEL =
      "inferlake keyset fingerprint v1\n".getBytes(StandardCharsets.UTF_8);

  private ModelKeys() {}

  /** Reads a keyset from {@code file}. */
  public static KeysetHandle fromFile(Path file) {
    try {
      return parse(Files.readString(file), "file " + file);
    } catch (java.nio.file.NoSuchFileException e) {
      throw ModelErrors.keyFileUnreadable(file, "no such file", e);
    } catch (IOException e) {
      throw ModelErrors.keyFileUnreadable(file, e.toString(), e);
    }
  }

  /** Reads a keyset from the JSON in environment variable {@code name}. */
  public static KeysetHandle fromEnv(String name) {
    return fromEnv(name, System.getenv());
  }

  /** Reads a keyset from the JSON in variable {@code name} of {@code env}. */
  public static KeysetHandle fromEnv(String name, java.util.Map<String, String> env) {
    String json = env.get(name);
    if (json == null || json.isBlank()) {
      throw ModelErrors.badKey("environment variable " + name, "it is not set", null);
    }
    return parse(json, "environment variable " + name);
  }

  /** Parses a keyset; public-only keysets (for verification) are accepted too. */
  public static KeysetHandle parse(String json, String source) {
    try {
      return TinkJsonProtoKeysetFormat.parseKeyset(json, InsecureSecretKeyAccess.get());
    } catch (GeneralSecurityException e) {
      try {
        return TinkJsonProtoKeysetFormat.parseKeysetWithoutSecret(json);
      } catch (GeneralSecurityException e2) {
        throw ModelErrors.badKey(source, "not a Tink JSON keyset: " + e.getMessage(), e);
      }
    }
  }

  public static Aead aead(KeysetHandle h, String source) {
    try {
      return h.getPrimitive(Aead.class);
    } catch (GeneralSecurityException e) {
      throw ModelErrors.badKey(source, "not an AES-GCM keyset", e);
    }
  }

  /**
   * Names a keyset's key material without revealing it: {@code keyset-sha256:} and the SHA-256, in
   * hex, of a fixed label followed by the keyset's binary serialization. Equal keysets have equal
   * fingerprints however their JSON is laid out; a fingerprint may appear in cache keys and
   * messages, as recovering a random key from its hash is infeasible.
   *
   * @param source where the keyset came from, for messages
   */
  public static String fingerprint(KeysetHandle h, String source) {
    byte[] material;
    try {
      material = TinkProtoKeysetFormat.serializeKeyset(h, InsecureSecretKeyAccess.get());
    } catch (GeneralSecurityException e) {
      throw ModelErrors.badKey(source, "it cannot be serialized: " + e.getMessage(), e);
    }
    MessageDigest md = ModelDigest.newSha256();
    md.update(FINGERPRINT_LABEL);
    md.update(material);
    return "keyset-" + ModelDigest.format(md);
  }

  /** A new AES-256-GCM keyset, as JSON (secret: store it like a password). */
  public static String newEncryptionKeyset() {
    return serialize(generate("AES256_GCM"));
  }

  /** A new Ed25519 signing keyset, as JSON (secret). */
  public static String newSigningKeyset() {
    return serialize(generate("ED25519"));
  }

  /** The public half of a signing keyset, as JSON (safe to share). */
  public static String publicKeyset(KeysetHandle signing) {
    try {
      return TinkJsonProtoKeysetFormat.serializeKeysetWithoutSecret(
          signing.getPublicKeysetHandle());
    } catch (GeneralSecurityException e) {
      throw ModelErrors.badKey("signing keyset", "it has no public key: " + e.getMessage(), e);
    }
  }

  /**
   * Signs a manifest with the primary key of a private Ed25519 keyset.
   *
   * @return the manifest carrying its signature
   */
  public static ModelManifest sign(ModelManifest m, KeysetHandle signing) {
    try {
      ModelManifest unsigned = m.withSignature(null);
      byte[] sig = signing.getPrimitive(PublicKeySign.class).sign(unsigned.canonicalBytes());
      return m.withSignature(
          new ModelManifest.Signature(
              ModelManifest.SIGNATURE_SCHEME,
              Integer.toUnsignedString(signing.getPrimary().getId()),
              Base64.getEncoder().encodeToString(sig)));
    } catch (GeneralSecurityException e) {
      throw ModelErrors.badKey("signing keyset", "it cannot sign: " + e.getMessage(), e);
    }
  }

  /**
   * Checks a manifest's signature against trusted public keysets.
   *
   * @return the id of the trusted key that verified the signature; null when nothing verified one
   *     (an unsigned manifest, or a signed one with no trusted keys, when none is required)
   * @throws InferlakeException MODEL when a required signature is missing, or any present signature
   *     is not verified by a trusted key
   */
  public static String verify(
      ModelManifest m, java.util.List<KeysetHandle> trusted, boolean required) {
    String what = "model '" + m.label() + "'";
    ModelManifest.Signature s = m.signature();
    if (s == null) {
      if (required) {
        throw ModelErrors.unsigned(what);
      }
      return null;
    }
    byte[] sig;
    try {
      sig = Base64.getDecoder().decode(s.value() == null ? "" : s.value());
    } catch (IllegalArgumentException e) {
      throw ModelErrors.corruptSignature(what, "its value is not base64", e);
    }
    String scheme = s.algorithm() == null ? "" : s.algorithm();
    byte[] covered =
        switch (scheme) {
          case ModelManifest.SIGNATURE_SCHEME -> m.canonicalBytes();
          case ModelManifest.SIGNATURE_SCHEME_V1 -> m.signedBytes();
          default ->
              throw ModelErrors.corruptSignature(
                  what, "its scheme '" + scheme + "' is not one inferlake signs with", null);
        };
    for (KeysetHandle k : trusted) {
      try {
        k.getPrimitive(PublicKeyVerify.class).verify(sig, covered);
        // the key that verified it, not the id the manifest claims
        return Integer.toUnsignedString(k.getPrimary().getId());
      } catch (GeneralSecurityException e) {
        // try the next trusted key
      }
    }
    if (required || !trusted.isEmpty()) {
      List<String> ids = new java.util.ArrayList<>();
      List<String> privateIds = new java.util.ArrayList<>();
      for (KeysetHandle k : trusted) {
        String id = Integer.toUnsignedString(k.getPrimary().getId());
        ids.add(id);
        if (isPrivate(k)) {
          privateIds.add(id);
        }
      }
      throw ModelErrors.untrustedSignature(what, s.keyId(), ids, privateIds);
    }
    return null; // nothing verified the signature: no signer to record
  }

  /** Whether a keyset holds private key material (its public half can be derived). */
  private static boolean isPrivate(KeysetHandle k) {
    try {
      k.getPublicKeysetHandle();
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static KeysetHandle generate(String template) {
    try {
      return KeysetHandle.generateNew(KeyTemplates.get(template));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Tink cannot make a " + template + " key", e);
    }
  }

  private static String serialize(KeysetHandle h) {
    try {
      return TinkJsonProtoKeysetFormat.serializeKeyset(h, InsecureSecretKeyAccess.get());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Tink cannot serialize a keyset", e);
    }
  }
}
