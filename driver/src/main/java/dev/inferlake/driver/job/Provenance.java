package dev.inferlake.driver.job;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.inferlake.driver.Versions;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.SparkSession;

/**
 * Where a commit came from, stored with it: run, date, input (and its pinned version), who ran it
 * on which application, framework versions, and every model's digest, path, encryption, size and
 * signer.
 */
final class Provenance {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Provenance() {}

  /** A fresh metadata object for one commit of a run; the caller adds chunk and counts. */
  static ObjectNode of(
      SparkSession spark,
      JobSpec spec,
      LocalDate ds,
      String runId,
      List<ResolvedModel> models,
      Long inputVersion) {
    ObjectNode o = JSON.createObjectNode();
    o.put("run_id", runId);
    o.put("ds", ds.toString());
    o.put("input", spec.input().path());
    o.put("input_format", spec.format());
    if (spec.input().table() != null) {
      o.put("input_table", spec.input().table());
    }
    if (spec.input().where() != null) {
      o.put("input_where", spec.input().where()); // with the run date filled in
    }
    if (inputVersion != null) {
      o.put("input_version", inputVersion);
    }
    o.put("user", System.getProperty("user.name"));
    o.put("spark_app_id", spark.sparkContext().applicationId());
    o.put("spark_version", spark.version());
    o.put("inferlake_version", Versions.inferlake());
    ArrayNode ms = o.putArray("models");
    for (ResolvedModel m : models) {
      ObjectNode mo =
          ms.addObject()
              .put("name", m.spec().name())
              .put("version", m.spec().version())
              .put("digest", m.manifest().sha256())
              .put("path", m.location())
              .put("encryption", m.manifest().encryption())
              .put("packed_bytes", m.manifest().packedBytes());
      if (m.signer() != null) {
        mo.put("signer", m.signer());
      }
    }
    return o;
  }
}
