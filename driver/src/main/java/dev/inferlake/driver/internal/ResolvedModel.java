package dev.inferlake.driver.internal;

import dev.inferlake.driver.JobSpec;
import dev.inferlake.model.ModelSignature;

/**
 * A model version read on the driver: its bytes (to ship), digest and signature (read from the ONNX
 * protobuf, no session).
 */
public record ResolvedModel(
    JobSpec.Model spec, String location, byte[] bytes, String digest, ModelSignature signature) {}
