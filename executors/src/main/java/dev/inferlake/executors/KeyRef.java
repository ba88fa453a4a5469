package dev.inferlake.executors;

import com.google.crypto.tink.Aead;
import dev.inferlake.model.ModelKeys;
import java.io.Serializable;
import java.nio.file.Path;

/**
 * Where an executor finds the key that decrypts model packages: an environment variable or a file
 * holding a Tink AES-GCM keyset. Only this reference travels with tasks; the key is read on the
 * executor, when a model is loaded.
 *
 * @param env environment variable name, or null
 * @param file keyset file path on the executor, or null
 */
public record KeyRef(String env, String file) implements Serializable {
  /** Reads the key. */
  public Aead aead() {
    String source = env != null ? "environment variable " + env : "file " + file;
    return ModelKeys.aead(
        env != null ? ModelKeys.fromEnv(env) : ModelKeys.fromFile(Path.of(file)), source);
  }
}
