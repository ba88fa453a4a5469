package dev.inferlake.model;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.InvalidProtocolBufferException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Model formats inferlake runs, recognized by content, never by file name: ONNX (ONNX Runtime) and
 * TorchScript (PyTorch through DJL). Pickles (and so joblib files and PyTorch checkpoints), which
 * run code when loaded, are refused along with anything unrecognized.
 */
public enum ModelFormat {
  ONNX,
  /**
   * A TorchScript archive ({@code torch.jit.save}): a zip with {@code code/}, {@code data.pkl} and
   * {@code constants.pkl} under one folder. libtorch reads its pickles with its own restricted
   * unpickler, which builds tensors and TorchScript objects only.
   */
  TORCHSCRIPT;

  public String specName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * A model's inputs and outputs, read from the model itself (for TorchScript, from the signature
   * file in its archive).
   *
   * @throws InferlakeException MODEL when they cannot be read
   */
  public ModelSignature signature(byte[] bytes, String what) {
    return switch (this) {
      case ONNX -> OnnxModelReader.signature(bytes, what);
      case TORCHSCRIPT -> TorchScriptReader.signature(bytes, what);
    };
  }

  /**
   * Recognizes a model by its bytes.
   *
   * @param what the model, as messages name it
   * @throws InferlakeException of kind MODEL naming what was found
   */
  public static ModelFormat detect(byte[] bytes, String what) {
    if (bytes.length >= 2 && (bytes[0] & 0xff) == 0x80 && bytes[1] >= 2 && bytes[1] <= 5) {
      throw ModelErrors.refusedFormat(
          what, "it is a Python pickle (protocol " + bytes[1] + "), which runs code when loaded");
    }
    if (bytes.length >= 2
        && (bytes[0] & 0xff) == 0x78
        && ((bytes[0] & 0xff) * 256 + (bytes[1] & 0xff)) % 31 == 0) {
      throw ModelErrors.refusedFormat(
          what, "it is zlib-compressed data, as joblib writes compressed pickles");
    }
    if (bytes.length >= 4 && bytes[0] == 'P' && bytes[1] == 'K' && bytes[2] == 3 && bytes[3] == 4) {
      if (TorchScriptReader.isTorchScript(bytes, what)) {
        return TORCHSCRIPT;
      }
      throw ModelErrors.refusedFormat(
          what,
          "it is a zip archive that is not TorchScript (a PyTorch checkpoint is a pickle in a zip,"
              + " which runs code when loaded; export the model with torch.jit.save or to ONNX)");
    }
    try {
      OnnxMl.ModelProto m = OnnxMl.ModelProto.parseFrom(bytes);
      if (m.getIrVersion() > 0 && m.hasGraph() && m.getGraph().getOutputCount() > 0) {
        return ONNX;
      }
    } catch (InvalidProtocolBufferException e) {
      // not ONNX: reported below
    }
    int n = Math.min(8, bytes.length);
    byte[] head = java.util.Arrays.copyOf(bytes, n);
    throw ModelErrors.refusedFormat(
        what,
        "its format is unknown (first bytes: " + HexFormat.ofDelimiter(" ").formatHex(head) + ")");
  }
}
