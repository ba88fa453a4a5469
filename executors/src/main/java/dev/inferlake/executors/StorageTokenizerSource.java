package dev.inferlake.executors;

import dev.inferlake.executors.internal.ScoringErrors;
import java.io.IOException;
import java.io.InputStream;

/**
 * Storage shipping of a text model's tokenizer: each executor reads {@code tokenizer.json} from the
 * version's registry folder (through Hadoop's {@code FileSystem}). The bytes are checked against
 * the manifest's digest before they are loaded, as broadcast bytes are.
 *
 * @param folderUri the version's registry folder, e.g. {@code hdfs:///models/reviews/v1}
 */
public record StorageTokenizerSource(String folderUri) implements ModelSource {
  static final String FILE = "tokenizer.json";

  /** A tokenizer file larger than this is refused before it is read whole. */
  static final long MAX_BYTES = 256L << 20;

  @Override
  public byte[] bytes() {
    org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(folderUri, FILE);
    try (InputStream in = p.getFileSystem(StorageModelSource.hadoop()).open(p)) {
      byte[] b = in.readNBytes((int) MAX_BYTES + 1);
      if (b.length > MAX_BYTES) {
        throw ScoringErrors.fetchFailed(
            p.toString(), new IOException("over " + MAX_BYTES + " bytes"));
      }
      return b;
    } catch (IOException e) {
      throw ScoringErrors.fetchFailed(p.toString(), e);
    }
  }
}
