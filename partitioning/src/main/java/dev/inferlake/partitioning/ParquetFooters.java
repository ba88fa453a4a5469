package dev.inferlake.partitioning;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.format.converter.ParquetMetadataConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.hadoop.util.HadoopInputFile;

/** Reads Parquet footers (row groups, row counts), never the data. */
public final class ParquetFooters {
  private ParquetFooters() {}

  /**
   * Reads the footers of {@code paths}, {@code threads} at a time (footers of remote files cost one
   * round trip or two each, so a thousand files want parallel reads).
   *
   * @return path to file metadata, in the order given
   * @throws UncheckedIOException naming the file whose footer could not be read
   */
  public static Map<String, InputFile> read(Configuration conf, List<String> paths, int threads) {
    Map<String, InputFile> out = new LinkedHashMap<>();
    if (paths.isEmpty()) {
      return out;
    }
    ExecutorService pool =
        Executors.newFixedThreadPool(
            Math.max(1, Math.min(threads, paths.size())),
            r -> {
              Thread t = new Thread(r, "inferlake-footers");
              t.setDaemon(true);
              return t;
            });
    try {
      List<Future<InputFile>> futures = new ArrayList<>();
      for (String p : paths) {
        futures.add(pool.submit(() -> read(conf, p)));
      }
      for (int i = 0; i < paths.size(); i++) {
        try {
          out.put(paths.get(i), futures.get(i).get());
        } catch (ExecutionException e) {
          if (e.getCause() instanceof UncheckedIOException u) {
            throw u;
          }
          throw new IllegalStateException("reading the footer of " + paths.get(i), e.getCause());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted reading Parquet footers", e);
        }
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  /** Reads one file's footer. */
  public static InputFile read(Configuration conf, String path) {
    Path p = new Path(path);
    try {
      HadoopInputFile file = HadoopInputFile.fromPath(p, conf);
      ParquetMetadata meta;
      try (ParquetFileReader r =
          ParquetFileReader.open(
              file,
              org.apache.parquet.ParquetReadOptions.builder()
                  .withMetadataFilter(ParquetMetadataConverter.NO_FILTER)
                  .build())) {
        meta = r.getFooter();
      }
      List<RowGroup> groups = new ArrayList<>();
      long rows = 0;
      for (BlockMetaData b : meta.getBlocks()) {
        groups.add(new RowGroup(b.getStartingPos(), b.getCompressedSize(), b.getRowCount()));
        rows += b.getRowCount();
      }
      return new InputFile(path, file.getLength(), rows, groups);
    } catch (IOException | RuntimeException e) {
      throw new UncheckedIOException(
          new IOException("cannot read the Parquet footer of " + path + ": " + e.getMessage(), e));
    }
  }
}
