package dev.inferlake.partitioning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real Parquet files, written and read with parquet-hadoop. */
class ParquetFootersTest {
  private static final MessageType SCHEMA =
      MessageTypeParser.parseMessageType(
          "message t { required int64 id; required double x; required binary s (UTF8); }");

  static Path write(Path file, int rows, long rowGroupBytes) throws Exception {
    Configuration conf = new Configuration();
    SimpleGroupFactory f = new SimpleGroupFactory(SCHEMA);
    Random rnd = new Random(rows);
    try (ParquetWriter<Group> w =
        ExampleParquetWriter.builder(new org.apache.hadoop.fs.Path(file.toUri()))
            .withConf(conf)
            .withType(SCHEMA)
            .withRowGroupSize(rowGroupBytes)
            .withPageSize(4096)
            .withCompressionCodec(CompressionCodecName.UNCOMPRESSED)
            .build()) {
      for (int i = 0; i < rows; i++) {
        w.write(
            f.newGroup().append("id", (long) i).append("x", rnd.nextDouble()).append("s", "r" + i));
      }
    }
    return file;
  }

  /** Rows a Parquet reader actually returns for byte range [start, start+length) of a file. */
  static long readRows(Path file, long start, long length) throws Exception {
    Configuration conf = new Configuration();
    long n = 0;
    org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(file.toUri());
    try (ParquetReader<Group> r =
        ParquetReader.builder(new GroupReadSupport(), p)
            .withConf(conf)
            .withFileRange(start, start + length)
            .build()) {
      while (r.read() != null) {
        n++;
      }
    }
    return n;
  }

  @Test
  void rowGroupsAndRowsComeFromTheFooter(@TempDir Path dir) throws Exception {
    Path big = write(dir.resolve("big.parquet"), 60_000, 64 * 1024);
    Path small = write(dir.resolve("small.parquet"), 123, 1 << 20);
    Map<String, InputFile> files =
        ParquetFooters.read(
            new Configuration(), List.of(big.toUri().toString(), small.toUri().toString()), 2);
    InputFile b = files.get(big.toUri().toString());
    assertEquals(60_000, b.rows());
    assertEquals(Files.size(big), b.bytes());
    assertTrue(b.rowGroups().size() >= 5, "row groups: " + b.rowGroups().size());
    try (ParquetFileReader r =
        ParquetFileReader.open(
            org.apache.parquet.hadoop.util.HadoopInputFile.fromPath(
                new org.apache.hadoop.fs.Path(big.toUri()), new Configuration()))) {
      assertEquals(r.getRowGroups().size(), b.rowGroups().size());
    }
    assertEquals(123, files.get(small.toUri().toString()).rows());
    assertEquals(1, files.get(small.toUri().toString()).rowGroups().size());
  }

  /** The midpoint rule agrees with what parquet-hadoop reads, for ranges cut anywhere. */
  @Test
  void rowsInARangeAreTheRowsAReaderReturns(@TempDir Path dir) throws Exception {
    Path big = write(dir.resolve("big.parquet"), 40_000, 48 * 1024);
    InputFile f = ParquetFooters.read(new Configuration(), big.toUri().toString());
    long size = Files.size(big);
    Random rnd = new Random(3);
    for (int trial = 0; trial < 4; trial++) {
      long split = 20_000 + rnd.nextInt(200_000);
      long total = 0;
      for (long start = 0; start < size; start += split) {
        long len = Math.min(split, size - start);
        long expected = readRows(big, start, len);
        assertEquals(expected, f.rowsIn(start, len), "range " + start + "+" + len);
        total += expected;
      }
      assertEquals(40_000, total);
    }
  }

  @Test
  void aFileThatIsNotParquetIsNamed(@TempDir Path dir) throws Exception {
    Path bad = Files.writeString(dir.resolve("notes.parquet"), "not parquet");
    UncheckedIOException e =
        assertThrows(
            UncheckedIOException.class,
            () -> ParquetFooters.read(new Configuration(), List.of(bad.toUri().toString()), 1));
    assertTrue(e.getMessage().contains("notes.parquet"), e.getMessage());
    assertTrue(
        e.getMessage().startsWith("java.io.IOException: cannot read the Parquet footer of"),
        e.getMessage());
  }
}
