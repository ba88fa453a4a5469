package dev.inferlake.executors.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.apache.spark.resource.ResourceInformation;
import org.junit.jupiter.api.Test;

/** Which CUDA device a task's session gets, from the resources Spark assigned it; no GPU needed. */
class GpuChoiceTest {
  @Test
  void theFirstAssignedAddressIsTheDevice() {
    assertEquals(
        3,
        OnnxRunner.gpuAddress(
            Map.of("gpu", new ResourceInformation("gpu", new String[] {"3", "5"}))));
    assertEquals(
        0,
        OnnxRunner.gpuAddress(Map.of("gpu", new ResourceInformation("gpu", new String[] {" 0 "}))));
  }

  @Test
  void noGpuResourceMeansNone() {
    assertEquals(-1, OnnxRunner.gpuAddress(Map.of()));
    assertEquals(
        -1,
        OnnxRunner.gpuAddress(Map.of("fpga", new ResourceInformation("fpga", new String[] {"0"}))));
    assertEquals(
        -1, OnnxRunner.gpuAddress(Map.of("gpu", new ResourceInformation("gpu", new String[0]))));
    // a vendor's non-numeric address is not a CUDA device
    assertEquals(
        -1,
        OnnxRunner.gpuAddress(
            Map.of("gpu", new ResourceInformation("gpu", new String[] {"GPU-5d1e"}))));
  }

  @Test
  void outsideATaskThereIsNoGpu() {
    assertEquals(-1, OnnxRunner.assignedGpu());
  }
}
