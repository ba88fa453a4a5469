package dev.inferlake.driver.job;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.StageInfo;

/**
 * A progress line on the console during a run: tasks done, input rows read, rate and time left,
 * every {@code every}, plus a last line when the run's jobs end. Follows the Spark jobs of one job
 * group (the run id).
 */
public final class ScoringProgress extends SparkListener implements AutoCloseable {
  private final SparkContext sc;
  private final String group;
  private final PrintWriter out;
  private final long startNanos = System.nanoTime();
  private final Set<Integer> stages = ConcurrentHashMap.newKeySet();
  private final AtomicInteger totalTasks = new AtomicInteger();
  private final AtomicInteger doneTasks = new AtomicInteger();
  private final AtomicLong rows = new AtomicLong();
  private final ScheduledExecutorService timer;

  /** Starts reporting; {@code every} of zero reports only the last line. */
  public ScoringProgress(SparkContext sc, String group, PrintWriter out, Duration every) {
    this.sc = sc;
    this.group = group;
    this.out = out;
    sc.addSparkListener(this);
    if (every.isZero()) {
      timer = null;
    } else {
      timer =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "inferlake-progress");
                t.setDaemon(true);
                return t;
              });
      long ms = Math.max(1, every.toMillis());
      timer.scheduleAtFixedRate(this::report, ms, ms, TimeUnit.MILLISECONDS);
    }
  }

  @Override
  public void onJobStart(SparkListenerJobStart e) {
    if (e.properties() != null && group.equals(e.properties().getProperty("spark.jobGroup.id"))) {
      for (StageInfo s : scala.collection.JavaConverters.seqAsJavaList(e.stageInfos())) {
        boolean scoring =
            scala.collection.JavaConverters.seqAsJavaList(s.rddInfos()).stream()
                .anyMatch(r -> group.equals(r.name()));
        if (scoring && stages.add(s.stageId())) {
          totalTasks.addAndGet(s.numTasks());
        }
      }
    }
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd e) {
    if (stages.contains(e.stageId()) && e.taskInfo().successful()) {
      doneTasks.incrementAndGet();
      if (e.taskMetrics() != null) {
        rows.addAndGet(e.taskMetrics().inputMetrics().recordsRead());
      }
    }
  }

  private void report() {
    int total = totalTasks.get();
    if (total == 0) {
      return;
    }
    double secs = (System.nanoTime() - startNanos) / 1e9;
    out.print(line(doneTasks.get(), total, rows.get(), secs));
    out.flush();
  }

  /**
   * One progress line: tasks, rows, rate and, once a task has ended (the first rate there is), the
   * time left at that rate.
   */
  static String line(int done, int total, long rows, double secs) {
    String left =
        done == 0
            ? "time left known when the first task ends"
            : String.format(Locale.ROOT, "about %.0f s left", secs * (total - done) / done);
    return String.format(
        Locale.ROOT,
        "scoring: %d/%d tasks, %,d input rows, %,.0f rows/s, %s%n",
        done,
        total,
        rows,
        rows / Math.max(secs, 1e-9),
        left);
  }

  /** Stops reporting and prints the last line. */
  @Override
  public void close() {
    if (timer != null) {
      timer.shutdownNow();
    }
    sc.removeSparkListener(this);
    double secs = (System.nanoTime() - startNanos) / 1e9;
    out.printf(
        Locale.ROOT,
        "scoring: %d/%d tasks done, %,d input rows in %.1f s%n",
        doneTasks.get(),
        totalTasks.get(),
        rows.get(),
        secs);
    out.flush();
  }
}
