package dev.inferlake.driver.job;

/**
 * Copies of a {@link JobSpec} with one section replaced: the run date filled in, catalog names
 * resolved to locations. The one place that calls {@link JobSpec}'s canonical constructor, so a new
 * key changes this file only.
 */
final class JobSpecs {
  private JobSpecs() {}

  static JobSpec withInput(JobSpec s, JobSpec.Input input) {
    return new JobSpec(
        input,
        s.models(),
        s.output(),
        s.batchSize(),
        s.device(),
        s.registry(),
        s.security(),
        s.modelCacheBytes(),
        s.shipping(),
        s.onInvalid(),
        s.maxInvalidFraction(),
        s.resumable(),
        s.evaluate(),
        s.report(),
        s.partitioning(),
        s.allowEmptyInput(),
        s.textBucketing(),
        s.imageMaxPixels(),
        s.skipScored());
  }

  static JobSpec withOutput(JobSpec s, JobSpec.Output output) {
    return new JobSpec(
        s.input(),
        s.models(),
        output,
        s.batchSize(),
        s.device(),
        s.registry(),
        s.security(),
        s.modelCacheBytes(),
        s.shipping(),
        s.onInvalid(),
        s.maxInvalidFraction(),
        s.resumable(),
        s.evaluate(),
        s.report(),
        s.partitioning(),
        s.allowEmptyInput(),
        s.textBucketing(),
        s.imageMaxPixels(),
        s.skipScored());
  }
}
