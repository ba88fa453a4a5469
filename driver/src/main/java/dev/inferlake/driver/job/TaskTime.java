package dev.inferlake.driver.job;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.StageInfo;

/**
 * Executor time spent by one run: the run time of every task (failed and speculative attempts
 * included: they cost as much) of the Spark jobs in the run's job group.
 */
public final class TaskTime extends SparkListener implements AutoCloseable {
  private final SparkContext sc;
  private final String group;
  private final Set<Integer> stages = ConcurrentHashMap.newKeySet();
  private final AtomicLong millis = new AtomicLong();

  public TaskTime(SparkContext sc, String group) {
    this.sc = sc;
    this.group = group;
    sc.addSparkListener(this);
  }

  @Override
  public void onJobStart(SparkListenerJobStart e) {
    if (e.properties() != null && group.equals(e.properties().getProperty("spark.jobGroup.id"))) {
      for (StageInfo s : scala.collection.JavaConverters.seqAsJavaList(e.stageInfos())) {
        stages.add(s.stageId());
      }
    }
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd e) {
    if (stages.contains(e.stageId()) && e.taskMetrics() != null) {
      millis.addAndGet(e.taskMetrics().executorRunTime());
    }
  }

  /**
   * Milliseconds of task run time so far, once the events already posted have been delivered (the
   * listener bus is asynchronous).
   */
  public long millis() {
    try {
      sc.listenerBus().waitUntilEmpty(10_000);
    } catch (java.util.concurrent.TimeoutException e) {
      // The figure may miss the last tasks; it is a measurement, not a count the run depends on.
    }
    return millis.get();
  }

  @Override
  public void close() {
    sc.removeSparkListener(this);
  }
}
