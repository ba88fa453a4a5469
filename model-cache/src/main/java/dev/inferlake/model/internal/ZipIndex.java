package dev.inferlake.model.internal;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * The entries of a zip archive held in memory, read from its central directory (ZIP64 included).
 * {@code java.util.zip.ZipInputStream} cannot read the stored entries with data descriptors that
 * PyTorch writes, and {@code ZipFile} needs a file.
 */
public final class ZipIndex {
  private static final int EOCD = 0x06054b50;
  private static final int ZIP64_LOCATOR = 0x07064b50;
  private static final int CENTRAL = 0x02014b50;
  private static final int LOCAL = 0x04034b50;

  /** One entry: compression method, sizes and where its local header starts. */
  private record Entry(int method, long compressed, long size, long localOffset) {}

  private final ByteBuffer zip;
  private final Map<String, Entry> entries = new LinkedHashMap<>();

  private ZipIndex(byte[] bytes) {
    this.zip = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
  }

  /**
   * Indexes an archive.
   *
   * @throws IllegalArgumentException when the bytes are not a readable zip archive
   */
  public static ZipIndex of(byte[] bytes) {
    ZipIndex z = new ZipIndex(bytes);
    z.read();
    return z;
  }

  /** Entry names, in central-directory order. */
  public java.util.Set<String> names() {
    return entries.keySet();
  }

  /**
   * An entry's content, or null when there is no such entry.
   *
   * @param max refuse entries larger than this
   * @throws IllegalArgumentException when the entry is larger than {@code max} or unreadable
   */
  public byte[] read(String name, int max) {
    Entry e = entries.get(name);
    if (e == null) {
      return null;
    }
    if (e.size() > max || e.compressed() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(name + " is " + e.size() + " bytes, over " + max);
    }
    int at = Math.toIntExact(e.localOffset());
    check(zip.getInt(at) == LOCAL, "no local header for " + name);
    int data = at + 30 + u16(at + 26) + u16(at + 28);
    byte[] raw = new byte[(int) e.compressed()];
    zip.get(data, raw);
    if (e.method() == 0) {
      return raw;
    }
    check(e.method() == 8, name + " uses compression method " + e.method());
    Inflater inf = new Inflater(true);
    try {
      inf.setInput(raw);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buf = new byte[8192];
      while (!inf.finished() && out.size() <= max) {
        int n = inf.inflate(buf);
        if (n == 0 && (inf.needsInput() || inf.needsDictionary())) {
          break;
        }
        out.write(buf, 0, n);
      }
      check(out.size() <= max, name + " inflates beyond " + max + " bytes");
      return out.toByteArray();
    } catch (DataFormatException ex) {
      throw new IllegalArgumentException(name + " cannot be inflated: " + ex.getMessage(), ex);
    } finally {
      inf.end();
    }
  }

  private void read() {
    int limit = zip.capacity();
    int eocd = -1;
    for (int i = limit - 22; i >= Math.max(0, limit - 22 - 65535); i--) {
      if (zip.getInt(i) == EOCD) {
        eocd = i;
        break;
      }
    }
    check(eocd >= 0, "no end of central directory");
    long count = u16(eocd + 10);
    long offset = zip.getInt(eocd + 16) & 0xffffffffL;
    if ((count == 0xffff || offset == 0xffffffffL)
        && eocd >= 20
        && zip.getInt(eocd - 20) == ZIP64_LOCATOR) {
      int z64 = Math.toIntExact(zip.getLong(eocd - 20 + 8));
      count = zip.getLong(z64 + 32);
      offset = zip.getLong(z64 + 48);
    }
    int at = Math.toIntExact(offset);
    for (long i = 0; i < count; i++) {
      check(at + 46 <= limit && zip.getInt(at) == CENTRAL, "bad central directory entry " + i);
      int method = u16(at + 10);
      long compressed = zip.getInt(at + 20) & 0xffffffffL;
      long size = zip.getInt(at + 24) & 0xffffffffL;
      int nameLen = u16(at + 28);
      int extraLen = u16(at + 30);
      int commentLen = u16(at + 32);
      long local = zip.getInt(at + 42) & 0xffffffffL;
      byte[] name = new byte[nameLen];
      zip.get(at + 46, name);
      // ZIP64 extra field: the 64-bit values of whichever fields are saturated, in this order
      int x = at + 46 + nameLen;
      int end = x + extraLen;
      while (x + 4 <= end) {
        int id = u16(x);
        int len = u16(x + 2);
        if (id == 1) {
          int p = x + 4;
          if (size == 0xffffffffL) {
            size = zip.getLong(p);
            p += 8;
          }
          if (compressed == 0xffffffffL) {
            compressed = zip.getLong(p);
            p += 8;
          }
          if (local == 0xffffffffL) {
            local = zip.getLong(p);
          }
        }
        x += 4 + len;
      }
      entries.put(
          new String(name, java.nio.charset.StandardCharsets.UTF_8),
          new Entry(method, compressed, size, local));
      at += 46 + nameLen + extraLen + commentLen;
    }
  }

  private int u16(int at) {
    return zip.getShort(at) & 0xffff;
  }

  private static void check(boolean ok, String what) {
    if (!ok) {
      throw new IllegalArgumentException("not a readable zip archive: " + what);
    }
  }
}
