package dev.inferlake.driver.internal;

import dev.inferlake.driver.JobSpec;
import dev.inferlake.model.ModelDigest;
import dev.inferlake.model.OnnxModelReader;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Reads model files through Hadoop's {@code FileSystem}, so {@code file:}, {@code hdfs:}, {@code
 * s3a:} all work.
 */
public final class ModelResolver {
  /** Models are shipped as one byte array; larger ones need the storage mode (a later issue). */
  static final long MAX_MODEL_BYTES = Integer.MAX_VALUE - 16;

  private ModelResolver() {}

  public static List<ResolvedModel> resolve(Configuration hadoop, List<JobSpec.Model> models) {
    List<ResolvedModel> out = new ArrayList<>();
    for (JobSpec.Model m : models) {
      out.add(resolve(hadoop, m));
    }
    return out;
  }

  static ResolvedModel resolve(Configuration hadoop, JobSpec.Model m) {
    Path path = new Path(m.path());
    byte[] bytes;
    String location;
    try {
      FileSystem fs = path.getFileSystem(hadoop);
      FileStatus st = fs.getFileStatus(path);
      location = st.getPath().toString();
      if (st.isDirectory()) {
        throw JobErrors.modelUnreadable(
            m.label(), m.path(), "it is a directory, not a model file", null);
      }
      if (st.getLen() > MAX_MODEL_BYTES) {
        throw JobErrors.modelUnreadable(
            m.label(), m.path(), "it is " + st.getLen() + " bytes, over the 2 GiB limit", null);
      }
      try (InputStream in = fs.open(path)) {
        bytes = in.readAllBytes();
      }
    } catch (FileNotFoundException e) {
      throw JobErrors.modelUnreadable(m.label(), m.path(), "no such file", e);
    } catch (IOException e) {
      throw JobErrors.modelUnreadable(m.label(), m.path(), e.toString(), e);
    }
    String what = "model '" + m.label() + "' (" + location + ")";
    return new ResolvedModel(
        m, location, bytes, ModelDigest.sha256(bytes), OnnxModelReader.signature(bytes, what));
  }
}
