package dev.inferlake.driver.sink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.inferlake.model.ModelDigest;
import dev.inferlake.reports.CommitLog;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * How a resumable run cuts its input: the input's files, sorted, in {@code n} contiguous groups,
 * each committed on its own. The plan has a digest over everything that decides its output (date,
 * models, input files, chunk count); a run finds the last commit to its rows, and when that was an
 * unfinished run of the same plan, takes over its run id and goes on after its last chunk. A commit
 * since then by any other run that owns some of the same rows (a plain run of one of its versions,
 * say) makes the run start over instead: resuming on top of it would duplicate rows.
 *
 * @param runId the run id: new, or the unfinished run's
 * @param chunks the input files of each chunk
 * @param firstChunk the first chunk still to commit (0 for a new run)
 * @param digest identifies the plan
 * @param resumedAfter the table version of the resumed run's last chunk; -1 for a new run
 */
public record ChunkPlan(
    String runId, List<List<String>> chunks, int firstChunk, String digest, long resumedAfter) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** How many commits the plan makes in all. */
  public int size() {
    return chunks.size();
  }

  /** A plan of one commit: the whole run. */
  public static ChunkPlan single(String runId) {
    return new ChunkPlan(runId, List.of(List.of()), 0, null, -1);
  }

  /**
   * Plans a run over {@code files} in up to {@code n} chunks, resuming an unfinished run of the
   * same plan found in the table's history.
   *
   * @param owner names the rows the run owns (date and model versions), to match earlier runs
   * @param newRunId the run id to use when nothing is resumed
   * @param history the table's commits that carry metadata, newest first; null when there is no
   *     table yet
   */
  static ChunkPlan plan(
      LocalDate ds,
      String owner,
      String[] files,
      int n,
      String newRunId,
      List<CommitLog.Commit> history) {
    // as Spark's _metadata.file_path spells them (file:/x, not file:///x)
    String[] sorted =
        Arrays.stream(files).map(ChunkPlan::normalize).sorted().toArray(String[]::new);
    int count = Math.max(1, Math.min(n, sorted.length));
    List<List<String>> chunks = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int from = (int) ((long) sorted.length * i / count);
      int to = (int) ((long) sorted.length * (i + 1) / count);
      chunks.add(List.of(Arrays.copyOfRange(sorted, from, to)));
    }
    MessageDigest md = ModelDigest.newSha256();
    md.update((ds + "\n" + owner + "\n" + count + "\n").getBytes(StandardCharsets.UTF_8));
    for (String f : sorted) {
      md.update((f + "\n").getBytes(StandardCharsets.UTF_8));
    }
    String digest = ModelDigest.format(md);

    // the latest commit to any of this run's rows (a run's own restore commits say
    // "restores_version")
    for (CommitLog.Commit c : history == null ? List.<CommitLog.Commit>of() : history) {
      JsonNode meta = parse(c.metadata());
      if (meta == null
          || !ds.toString().equals(meta.path("ds").asText())
          || !OwnedRows.overlap(owner, meta.path("owner").asText())) {
        continue;
      }
      JsonNode resume = meta.path("resume");
      int done = resume.path("chunk").asInt(-1);
      if (owner.equals(meta.path("owner").asText())
          && digest.equals(resume.path("plan").asText())
          && done >= 0
          && done + 1 < count) {
        return new ChunkPlan(meta.path("run_id").asText(), chunks, done + 1, digest, c.version());
      }
      break;
    }
    return new ChunkPlan(newRunId, chunks, 0, digest, -1);
  }

  private static String normalize(String file) {
    java.net.URI u = java.net.URI.create(file);
    return new org.apache.hadoop.fs.Path(u.getScheme(), u.getAuthority(), u.getPath())
        .toUri()
        .toString();
  }

  private static JsonNode parse(String s) {
    try {
      return JSON.readTree(s);
    } catch (Exception e) {
      return null;
    }
  }
}
