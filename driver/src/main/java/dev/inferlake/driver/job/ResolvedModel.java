package dev.inferlake.driver.job;

import dev.inferlake.model.ModelManifest;

/**
 * A model version ready to ship: its manifest (digest and signature, read without decrypting) and
 * its package payload (compressed; still encrypted if it was stored so).
 *
 * @param location where it was read from (for a registry version, its folder)
 * @param payload the package payload; null when executors fetch it themselves (storage mode)
 * @param signer the id of the trusted key that signed it, or null
 * @param tokenizer the {@code tokenizer.json} bytes of a text model, checked against its manifest,
 *     to broadcast; null when it has none or executors fetch it themselves (storage mode)
 */
public record ResolvedModel(
    JobSpec.Model spec,
    String location,
    ModelManifest manifest,
    byte[] payload,
    String signer,
    byte[] tokenizer) {

  /** A model without tokenizer bytes to broadcast. */
  public ResolvedModel(
      JobSpec.Model spec, String location, ModelManifest manifest, byte[] payload, String signer) {
    this(spec, location, manifest, payload, signer, null);
  }
}
