package dev.inferlake.model.internal;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * The entries of a zip archive held in memory, read from its central directory (ZIP64 included).
 * {@code java.util.zip.ZipInputStream} cannot read the stored entries with data descriptors that
 * PyTorch writes, and {@code ZipFile} needs a file.
 *
 * <p>Every size and offset the archive declares is checked against the archive's length before it
 * is used, so a lying directory costs no allocation larger than the archive itself.
 */
public final class ZipIndex {
  private static final int EOCD = 0x06054b50;
  private static final int ZIP64_LOCATOR = 0x07064b50;
  private static final int ZIP64_EOCD = 0x06064b50;
  private static final int CENTRAL = 0x02014b50;
  private static final int LOCAL = 0x04034b50;
  private static final int CENTRAL_HEADER = 46;
  private static final int LOCAL_HEADER = 30;
  private static final long SATURATED = 0xffffffffL;

  /**
   * An archive, or one of its entries, that cannot be read within its own bounds or the caller's.
   * The message names the entry when there is one.
   */
  public static final class Malformed extends Exception {
    private static final long serialVersionUID = 1L;

    Malformed(String entry, String why) {
      this(entry, why, null);
    }

    Malformed(String entry, String why, Throwable cause) {
      super(entry == null ? why : "entry '" + entry + "' " + why, cause);
    }
  }

  /** One entry: compression method, sizes and where its local header starts. */
  private record Entry(int method, long compressed, long size, long localOffset) {}

  private final ByteBuffer zip;
  private final Map<String, Entry> entries = new LinkedHashMap<>();

  private ZipIndex(byte[] bytes) {
    this.zip = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
  }

  /**
   * Indexes an archive held in memory; the bytes are not copied.
   *
   * @throws Malformed when the bytes are not a zip archive, or its directory declares sizes or
   *     offsets outside them
   */
  public static ZipIndex of(byte[] bytes) throws Malformed {
    ZipIndex z = new ZipIndex(bytes);
    z.read();
    return z;
  }

  /** Entry names, in central-directory order. */
  public Set<String> names() {
    return entries.keySet();
  }

  /**
   * An entry's content, or null when there is no such entry.
   *
   * @param max refuse entries larger than this
   * @throws Malformed when the entry is larger than {@code max}, lies outside the archive, or
   *     cannot be inflated
   */
  public byte[] read(String name, int max) throws Malformed {
    Entry e = entries.get(name);
    if (e == null) {
      return null;
    }
    if (e.size() > max) {
      throw new Malformed(name, "declares " + e.size() + " bytes, over the " + max + " allowed");
    }
    long at = e.localOffset();
    check(at + LOCAL_HEADER <= zip.capacity(), name, "has its local header outside the archive");
    check(zip.getInt((int) at) == LOCAL, name, "has no local header at offset " + at);
    long data = at + LOCAL_HEADER + u16((int) at + 26) + u16((int) at + 28);
    check(
        data + e.compressed() <= zip.capacity(),
        name,
        "declares " + e.compressed() + " bytes at offset " + data + ", beyond the archive");
    byte[] raw = new byte[(int) e.compressed()];
    zip.get((int) data, raw);
    return switch (e.method()) {
      case 0 -> raw;
      case 8 -> inflate(name, raw, max);
      default -> throw new Malformed(name, "uses compression method " + e.method());
    };
  }

  private static byte[] inflate(String name, byte[] raw, int max) throws Malformed {
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
      check(out.size() <= max, name, "inflates beyond " + max + " bytes");
      return out.toByteArray();
    } catch (DataFormatException ex) {
      throw new Malformed(name, "cannot be inflated: " + ex.getMessage(), ex);
    } finally {
      inf.end();
    }
  }

  private void read() throws Malformed {
    int limit = zip.capacity();
    int eocd = -1;
    for (int i = limit - 22; i >= Math.max(0, limit - 22 - 65535); i--) {
      if (zip.getInt(i) == EOCD) {
        eocd = i;
        break;
      }
    }
    check(eocd >= 0, null, "the archive has no end of central directory record");
    long count = u16(eocd + 10);
    long offset = zip.getInt(eocd + 16) & SATURATED;
    if ((count == 0xffff || offset == SATURATED)
        && eocd >= 20
        && zip.getInt(eocd - 20) == ZIP64_LOCATOR) {
      long z64 = zip.getLong(eocd - 20 + 8);
      check(
          z64 >= 0 && z64 + 56 <= limit && zip.getInt((int) z64) == ZIP64_EOCD,
          null,
          "the archive has no ZIP64 end of central directory record at offset " + z64);
      count = zip.getLong((int) z64 + 32);
      offset = zip.getLong((int) z64 + 48);
    }
    check(offset >= 0 && offset <= limit, null, "the central directory lies outside the archive");
    check(
        count >= 0 && count <= (limit - offset) / CENTRAL_HEADER,
        null,
        "the archive declares " + count + " entries, more than its central directory holds");
    int at = (int) offset;
    for (long i = 0; i < count; i++) {
      check(
          at + CENTRAL_HEADER <= limit && zip.getInt(at) == CENTRAL,
          null,
          "the archive has no central directory record " + i + " at offset " + at);
      int nameLen = u16(at + 28);
      int extraLen = u16(at + 30);
      int commentLen = u16(at + 32);
      int next = at + CENTRAL_HEADER + nameLen + extraLen + commentLen;
      check(next <= limit, null, "central directory record " + i + " runs beyond the archive");
      byte[] raw = new byte[nameLen];
      zip.get(at + CENTRAL_HEADER, raw);
      String name = new String(raw, StandardCharsets.UTF_8);
      entries.put(name, entry(name, at, at + CENTRAL_HEADER + nameLen, extraLen));
      at = next;
    }
  }

  /** The central directory record at {@code at}, its ZIP64 extra field applied and checked. */
  private Entry entry(String name, int at, int extra, int extraLen) throws Malformed {
    int method = u16(at + 10);
    long compressed = zip.getInt(at + 20) & SATURATED;
    long size = zip.getInt(at + 24) & SATURATED;
    long local = zip.getInt(at + 42) & SATURATED;
    // ZIP64 extra field: the 64-bit values of whichever fields are saturated, in this order
    int x = extra;
    int end = extra + extraLen;
    while (x + 4 <= end) {
      int id = u16(x);
      int len = u16(x + 2);
      check(x + 4 + len <= end, name, "has an extra field beyond its record");
      if (id == 1) {
        int p = x + 4;
        int fieldEnd = p + len;
        if (size == SATURATED) {
          check(p + 8 <= fieldEnd, name, "has a ZIP64 field without its size");
          size = zip.getLong(p);
          p += 8;
        }
        if (compressed == SATURATED) {
          check(p + 8 <= fieldEnd, name, "has a ZIP64 field without its compressed size");
          compressed = zip.getLong(p);
          p += 8;
        }
        if (local == SATURATED) {
          check(p + 8 <= fieldEnd, name, "has a ZIP64 field without its local header offset");
          local = zip.getLong(p);
        }
      }
      x += 4 + len;
    }
    long limit = zip.capacity();
    check(size >= 0, name, "declares a negative size (" + size + ")");
    check(compressed >= 0, name, "declares a negative compressed size (" + compressed + ")");
    check(
        compressed <= limit,
        name,
        "declares " + compressed + " compressed bytes, more than the archive's " + limit);
    check(method != 0 || size == compressed, name, "is stored with two different sizes");
    check(
        local >= 0 && local + LOCAL_HEADER <= limit,
        name,
        "has its local header at offset " + local + ", outside the archive");
    return new Entry(method, compressed, size, local);
  }

  private int u16(int at) {
    return zip.getShort(at) & 0xffff;
  }

  private static void check(boolean ok, String entry, String what) throws Malformed {
    if (!ok) {
      throw new Malformed(entry, what);
    }
  }
}
