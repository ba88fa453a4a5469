package dev.inferlake.driver.job;

import dev.inferlake.model.ModelManifest;

/**
 * A model version ready to ship: its manifest (digest and signature, read without decrypting) and
 * its package payload (compressed; still encrypted if it was stored so).
 *
 * @param location where it was read from (for a registry version, its folder)
 * @param payload the package payload; null when executors fetch it themselves (storage mode)
 * @param signer the id of the trusted key that signed it, or null
 */
public record ResolvedModel(
    JobSpec.Model spec, String location, ModelManifest manifest, byte[] payload, String signer) {}
