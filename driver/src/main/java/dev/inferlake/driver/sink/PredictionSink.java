package dev.inferlake.driver.sink;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Where one run's predictions (and the rows its models could not take) land, and the only place
 * that knows how: which rows a run owns, how a commit replaces them atomically, what happens when
 * another run commits first, how a half-done run is put back or resumed, and how what was written
 * is counted afterwards. Callers hand it DataFrames and metadata; they never build its predicates
 * or read its log.
 *
 * <p>One sink serves one run (one date, one set of model versions). Not thread-safe.
 */
public interface PredictionSink {

  /** The prediction table, as messages and the run summary name it. */
  String table();

  /**
   * Checks the schema of the run's prediction rows against the table before anything is scored.
   * Columns and {@code outputs} fields the table lacks are added by the run's first commit; a
   * {@code prediction} the table holds {@code NOT NULL} is relaxed by it when the run's models may
   * leave it null.
   *
   * @throws dev.inferlake.model.InferlakeException MODEL when the table holds a column or output
   *     the run writes in another type
   */
  void prepare(org.apache.spark.sql.types.StructType schema);

  /**
   * How the run is cut into commits: one commit for a plain run; for a resumable run, contiguous
   * groups of the input's files, resuming an unfinished run of the same plan that this sink finds
   * among its own commits.
   *
   * @param inputFiles the input's files (not listed when {@code chunks} is 1)
   * @param chunks how many commits the job asks for
   * @param newRunId the run id to use when nothing is resumed
   */
  ChunkPlan planChunks(Supplier<String[]> inputFiles, int chunks, String newRunId);

  /**
   * Commits one chunk: its rejects (when quarantining) and its predictions, each replacing exactly
   * the rows this chunk owns. Nothing half-written stays visible: if the prediction commit fails,
   * the quarantine rows are put back as they were.
   *
   * @throws dev.inferlake.model.InferlakeException RUN when the commit fails or loses a race with
   *     another run (after the retries the job allows); the kind of an error raised while scoring
   *     is kept
   */
  Commit commit(ChunkWrite write);

  /**
   * What run {@code runId} wrote, counted from the committed versions (never from what was meant to
   * be written), with the input and invalid-row counts its commits recorded.
   */
  Written written(String runId, Commit last);

  /**
   * How many rows of the run's date and model versions the prediction table holds now: what a run
   * replaces.
   */
  long ownedRows();

  /** Run {@code runId}'s predictions as committed in {@code last}, for evaluation. */
  Dataset<Row> committed(String runId, Commit last);

  /**
   * One chunk to commit.
   *
   * @param plan the run's plan, from {@link #planChunks}
   * @param chunk the chunk's index in the plan (0 for a plain run)
   * @param startMicros the chunk's start, as stamped in {@code scored_at}/{@code quarantined_at}
   * @param predictions the prediction rows, in the prediction table's schema
   * @param quarantine the rejects to quarantine, in the quarantine table's schema; null for none
   * @param metadata provenance stored with the commit; the sink adds its own bookkeeping (the rows'
   *     owner, the chunk, a commit id)
   */
  record ChunkWrite(
      ChunkPlan plan,
      int chunk,
      long startMicros,
      Dataset<Row> predictions,
      Dataset<Row> quarantine,
      ObjectNode metadata) {}

  /**
   * What one commit made.
   *
   * @param predictionVersion the prediction table's version holding the chunk
   * @param quarantineVersion the quarantine table's version, or null when nothing was quarantined
   */
  record Commit(long predictionVersion, Long quarantineVersion) {}

  /**
   * What a run wrote, per {@code name:version}.
   *
   * @param predicted prediction rows
   * @param quarantined quarantined rows
   * @param rowsIn input rows as the run's validation passes counted them; -1 when none ran
   * @param invalid rows each version could not take, as validation counted them
   */
  record Written(
      Map<String, Long> predicted,
      Map<String, Long> quarantined,
      long rowsIn,
      Map<String, Long> invalid) {}
}
