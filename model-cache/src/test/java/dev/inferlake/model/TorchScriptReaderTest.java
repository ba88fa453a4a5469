package dev.inferlake.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/**
 * TorchScript archives whose central directory lies about an entry: each is a model error (exit 4)
 * naming the entry, found before anything the size of the lie is allocated. The archives are made
 * here by hand, stored entries only, so that each field says exactly what a test needs.
 */
class TorchScriptReaderTest {
  private static final String SIGNATURE = "m/extra/" + TorchScriptReader.SIGNATURE;
  private static final byte[] JSON =
      ("{\"inputs\": [{\"name\": \"x\", \"type\": \"float\", \"shape\": [-1, 4]}],"
              + " \"outputs\": [{\"name\": \"y\", \"type\": \"float\", \"shape\": [-1, 2]}]}")
          .getBytes(StandardCharsets.UTF_8);

  /**
   * One entry of a hand-made archive: its content, and the sizes and local header offset its
   * central directory record declares ({@code null} where the record tells the truth).
   *
   * @param extra the record's extra field
   */
  private record Entry(
      String name, byte[] data, Long compressed, Long size, Long local, byte[] extra) {
    static Entry honest(String name, byte[] data) {
      return new Entry(name, data, null, null, null, new byte[0]);
    }
  }

  @Test
  void anHonestArchiveYieldsItsSignature() {
    assertEquals(ModelFormat.TORCHSCRIPT, ModelFormat.detect(archive(honest()), "m:1"));
    ModelSignature sig = TorchScriptReader.signature(archive(honest()), "m:1");
    assertEquals("x", sig.inputs().get(0).name());
    assertEquals("y", sig.outputs().get(0).name());
  }

  @Test
  void aCompressedSizeOfTwoGigabytesIsAModelErrorWithoutAllocatingIt() {
    refused(new Entry(SIGNATURE, JSON, 0x7fffffffL, null, null, new byte[0]));
  }

  @Test
  void aNegativeZip64CompressedSizeIsAModelError() {
    refused(new Entry(SIGNATURE, JSON, 0xffffffffL, 0xffffffffL, null, zip64(JSON.length, -1L)));
  }

  @Test
  void aNegativeZip64SizeIsAModelError() {
    refused(new Entry(SIGNATURE, JSON, 0xffffffffL, 0xffffffffL, null, zip64(-1L, JSON.length)));
  }

  @Test
  void aHugeZip64CompressedSizeIsAModelError() {
    refused(
        new Entry(SIGNATURE, JSON, 0xffffffffL, 0xffffffffL, null, zip64(JSON.length, 1L << 40)));
  }

  @Test
  void aCompressedSizeBeyondTheArchiveIsAModelError() {
    refused(new Entry(SIGNATURE, JSON, 60_000L, null, null, new byte[0]));
  }

  @Test
  void aLocalHeaderBeyondTheArchiveIsAModelError() {
    refused(new Entry(SIGNATURE, JSON, null, null, 0x7ffffff0L, new byte[0]));
  }

  @Test
  void aNegativeZip64LocalHeaderOffsetIsAModelError() {
    refused(new Entry(SIGNATURE, JSON, null, null, 0xffffffffL, zip64(-8L)));
  }

  /** The signature entry as given, after the entries that make the archive TorchScript. */
  private static void refused(Entry signature) {
    List<Entry> entries = honest();
    entries.set(entries.size() - 1, signature);
    byte[] zip = archive(entries);
    InferlakeException e =
        assertThrows(InferlakeException.class, () -> TorchScriptReader.signature(zip, "m:1"));
    assertEquals(ErrorKind.MODEL, e.kind());
    assertEquals(4, e.kind().exitCode());
    assertTrue(e.getMessage().contains("m:1"), e.getMessage());
    assertTrue(e.getMessage().contains(SIGNATURE), e.getMessage());
  }

  private static List<Entry> honest() {
    return new java.util.ArrayList<>(
        List.of(
            Entry.honest("m/data.pkl", new byte[] {(byte) 0x80, 2, '.'}),
            Entry.honest("m/constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'}),
            Entry.honest("m/code/__torch__.py", "class M: pass\n".getBytes(StandardCharsets.UTF_8)),
            Entry.honest(SIGNATURE, JSON)));
  }

  /** A ZIP64 extended-information extra field holding the given values in order. */
  private static byte[] zip64(long... values) {
    ByteBuffer b = le(4 + 8 * values.length);
    b.putShort((short) 1).putShort((short) (8 * values.length));
    for (long v : values) {
      b.putLong(v);
    }
    return b.array();
  }

  /** A zip archive of stored entries: local headers and data, central directory, end record. */
  private static byte[] archive(List<Entry> entries) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    long[] offsets = new long[entries.size()];
    for (int i = 0; i < entries.size(); i++) {
      Entry e = entries.get(i);
      byte[] name = e.name().getBytes(StandardCharsets.UTF_8);
      offsets[i] = out.size();
      ByteBuffer h = le(30);
      h.putInt(0x04034b50).putShort((short) 20).putShort((short) 0).putShort((short) 0);
      h.putInt(0).putInt(crc(e.data())).putInt(e.data().length).putInt(e.data().length);
      h.putShort((short) name.length).putShort((short) 0);
      out.writeBytes(h.array());
      out.writeBytes(name);
      out.writeBytes(e.data());
    }
    int central = out.size();
    for (int i = 0; i < entries.size(); i++) {
      Entry e = entries.get(i);
      byte[] name = e.name().getBytes(StandardCharsets.UTF_8);
      long length = e.data().length;
      ByteBuffer c = le(46);
      c.putInt(0x02014b50).putShort((short) 20).putShort((short) 20).putShort((short) 0);
      c.putShort((short) 0).putInt(0).putInt(crc(e.data()));
      c.putInt((int) (e.compressed() != null ? e.compressed() : length));
      c.putInt((int) (e.size() != null ? e.size() : length));
      c.putShort((short) name.length).putShort((short) e.extra().length).putShort((short) 0);
      c.putShort((short) 0).putShort((short) 0).putInt(0);
      c.putInt((int) (e.local() != null ? e.local() : offsets[i]));
      out.writeBytes(c.array());
      out.writeBytes(name);
      out.writeBytes(e.extra());
    }
    int centralSize = out.size() - central;
    ByteBuffer end = le(22);
    end.putInt(0x06054b50).putShort((short) 0).putShort((short) 0);
    end.putShort((short) entries.size()).putShort((short) entries.size());
    end.putInt(centralSize).putInt(central).putShort((short) 0);
    out.writeBytes(end.array());
    return out.toByteArray();
  }

  private static int crc(byte[] data) {
    CRC32 crc = new CRC32();
    crc.update(data);
    return (int) crc.getValue();
  }

  private static ByteBuffer le(int size) {
    return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
  }
}
