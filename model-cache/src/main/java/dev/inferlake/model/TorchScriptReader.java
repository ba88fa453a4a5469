package dev.inferlake.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.inferlake.model.internal.ZipIndex;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads what inferlake needs from a TorchScript archive without running it: that it is one, and its
 * signature. TorchScript keeps no input or output names or shapes, so the signature travels in the
 * archive as the extra file {@value #SIGNATURE} ({@code torch.jit.save(m, f, _extra_files={...})}):
 *
 * <pre>{"inputs":  [{"name": "pixels", "type": "float", "shape": [-1, 64]}],
 *  "outputs": [{"name": "probabilities", "type": "float", "shape": [-1, 10]}]}</pre>
 *
 * Inputs are passed to {@code forward} in the order listed; outputs are the tensor it returns, or
 * the elements of the tuple it returns, in order.
 */
public final class TorchScriptReader {
  /** The extra file holding the signature. */
  public static final String SIGNATURE = "inferlake_signature.json";

  private static final int MAX_SIGNATURE_BYTES = 64 << 10;
  private static final ObjectMapper JSON = new ObjectMapper();

  private TorchScriptReader() {}

  /**
   * Whether the bytes are a TorchScript archive: one folder with code/, data.pkl, constants.pkl.
   *
   * @param what the model, as messages name it
   * @throws InferlakeException MODEL when the bytes are a zip archive that cannot be read
   */
  static boolean isTorchScript(byte[] bytes, String what) {
    Set<String> names;
    try {
      names = ZipIndex.of(bytes).names();
    } catch (ZipIndex.Malformed e) {
      throw ModelErrors.unreadableArchive(what, "zip archive", e);
    }
    Set<String> roots = new HashSet<>();
    boolean code = false;
    boolean data = false;
    boolean constants = false;
    for (String name : names) {
      int slash = name.indexOf('/');
      if (slash <= 0) {
        return false;
      }
      roots.add(name.substring(0, slash));
      String rest = name.substring(slash + 1);
      code |= rest.startsWith("code/");
      data |= rest.equals("data.pkl");
      constants |= rest.equals("constants.pkl");
    }
    return roots.size() == 1 && code && data && constants;
  }

  /**
   * The signature stored in a TorchScript archive.
   *
   * @param what the model, as messages name it
   * @throws InferlakeException MODEL when the archive has no signature or an invalid one
   */
  public static ModelSignature signature(byte[] bytes, String what) {
    byte[] json = null;
    try {
      ZipIndex zip = ZipIndex.of(bytes);
      for (String name : zip.names()) {
        if (name.endsWith("/extra/" + SIGNATURE)) {
          json = zip.read(name, MAX_SIGNATURE_BYTES);
          break;
        }
      }
    } catch (ZipIndex.Malformed e) {
      throw ModelErrors.unreadableArchive(what, "TorchScript archive", e);
    }
    if (json == null) {
      throw ModelErrors.noTorchScriptSignature(what);
    }
    try {
      JsonNode root = JSON.readTree(json);
      List<TensorSpec> inputs = tensors(root.path("inputs"), "inputs", what);
      List<TensorSpec> outputs = tensors(root.path("outputs"), "outputs", what);
      return new ModelSignature(inputs, outputs);
    } catch (IOException e) {
      throw ModelErrors.badTorchScriptSignature(what, "it is not JSON: " + e.getMessage());
    }
  }

  private static List<TensorSpec> tensors(JsonNode list, String field, String what) {
    if (!list.isArray() || list.isEmpty()) {
      throw ModelErrors.badTorchScriptSignature(what, "'" + field + "' must be a non-empty list");
    }
    List<TensorSpec> out = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      JsonNode t = list.get(i);
      String at = field + "[" + i + "]";
      String name = t.path("name").asText("");
      String type = t.path("type").asText("");
      JsonNode shape = t.path("shape");
      if (name.isEmpty() || !shape.isArray() || shape.isEmpty()) {
        throw ModelErrors.badTorchScriptSignature(
            what, at + " needs a name and a shape such as [-1, 64]");
      }
      ElementType et;
      try {
        et = ElementType.valueOf(type.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw ModelErrors.badTorchScriptSignature(what, at + " has unknown type '" + type + "'");
      }
      long[] dims = new long[shape.size()];
      for (int d = 0; d < dims.length; d++) {
        dims[d] = shape.get(d).asLong();
      }
      out.add(new TensorSpec(name, et, dims));
    }
    return out;
  }
}
