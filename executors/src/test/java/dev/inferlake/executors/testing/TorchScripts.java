package dev.inferlake.executors.testing;

import dev.inferlake.model.ElementType;
import dev.inferlake.model.TorchScriptReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * TorchScript modules written in Java, for tests that need one python3-torch cannot make here: the
 * archive {@code torch.jit.save} writes (code, pickled module, constants, version), holding a
 * module with no parameters whose {@code forward} is TorchScript source that libtorch compiles on
 * load.
 */
public final class TorchScripts {
  private TorchScripts() {}

  /**
   * {@code y = flatten(x.to(float32), 1)}: input {@code x} of {@code type[-1, width]}, output
   * {@code y} float[-1, width], so a float output shows exactly what reached the module.
   */
  public static byte[] castToFloat(ElementType type, int width) {
    String code =
        """
        class Cast(Module):
          __parameters__ = []
          __buffers__ = []
          training : bool
          def forward(self: __torch__.Cast,
            x: Tensor) -> Tensor:
            _0 = torch.flatten(torch.to(x, 6, False, False, None), 1)
            return _0
        """;
    String signature =
        "{\"inputs\": [{\"name\": \"x\", \"type\": \""
            + type.lowerName()
            + "\", \"shape\": [-1, "
            + width
            + "]}], \"outputs\": [{\"name\": \"y\", \"type\": \"float\", \"shape\": [-1, "
            + width
            + "]}]}";
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      stored(zip, "cast/data.pkl", modulePickle("Cast"));
      stored(zip, "cast/code/__torch__.py", code.getBytes(StandardCharsets.UTF_8));
      stored(zip, "cast/constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'}); // ()
      stored(zip, "cast/version", "4\n".getBytes(StandardCharsets.UTF_8));
      stored(
          zip,
          "cast/extra/" + TorchScriptReader.SIGNATURE,
          signature.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** Pickle protocol 2 of {@code __torch__.<cls>()} with state {@code {'training': False}}. */
  private static byte[] modulePickle(String cls) {
    ByteArrayOutputStream p = new ByteArrayOutputStream();
    p.write(0x80); // PROTO 2
    p.write(2);
    p.writeBytes(("c__torch__\n" + cls + "\n").getBytes(StandardCharsets.US_ASCII)); // GLOBAL
    p.write(')'); // EMPTY_TUPLE
    p.write(0x81); // NEWOBJ
    p.write('}'); // EMPTY_DICT
    p.write('('); // MARK
    byte[] key = "training".getBytes(StandardCharsets.UTF_8);
    p.write('X'); // BINUNICODE
    p.write(key.length);
    p.write(0);
    p.write(0);
    p.write(0);
    p.writeBytes(key);
    p.write(0x89); // NEWFALSE
    p.write('u'); // SETITEMS
    p.write('b'); // BUILD
    p.write('.'); // STOP
    return p.toByteArray();
  }

  private static void stored(ZipOutputStream zip, String name, byte[] content) throws IOException {
    ZipEntry e = new ZipEntry(name);
    e.setMethod(ZipEntry.STORED);
    e.setSize(content.length);
    CRC32 crc = new CRC32();
    crc.update(content);
    e.setCrc(crc.getValue());
    zip.putNextEntry(e);
    zip.write(content);
    zip.closeEntry();
  }
}
