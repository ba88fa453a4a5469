package dev.inferlake.executors;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.KeysetHandle;
import dev.inferlake.model.ModelKeys;
import java.io.Serializable;
import java.nio.file.Path;

/**
 * Where an executor finds the key that decrypts model packages: an environment variable or a file
 * holding a Tink AES-GCM keyset. Only this reference travels with tasks; the key is read on the
 * executor, each time a task asks for a model, so a key rotated in place is the key in force.
 *
 * @param env environment variable name, or null
 * @param file keyset file path on the executor, or null
 */
public record KeyRef(String env, String file) implements Serializable {

  /**
   * A key as read now.
   *
   * @param aead decrypts with it
   * @param fingerprint names the key material without revealing it ({@link ModelKeys#fingerprint}):
   *     the same keyset, wherever it is read from, has the same fingerprint
   */
  public record Resolved(Aead aead, String fingerprint) {}

  /** Reads the key. */
  public Aead aead() {
    return resolve().aead();
  }

  /**
   * Reads the key, and names what was read: decrypt with the {@link Resolved#aead} of the same read
   * that named it, so that a key changing in between cannot pair one key's name with the other's
   * model.
   *
   * @throws dev.inferlake.model.InferlakeException USAGE when the key cannot be read or is not an
   *     AES-GCM keyset
   */
  public Resolved resolve() {
    String source = env != null ? "environment variable " + env : "file " + file;
    KeysetHandle h = env != null ? ModelKeys.fromEnv(env) : ModelKeys.fromFile(Path.of(file));
    return new Resolved(ModelKeys.aead(h, source), ModelKeys.fingerprint(h, source));
  }
}
