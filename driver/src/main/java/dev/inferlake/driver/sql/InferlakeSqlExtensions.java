package dev.inferlake.driver.sql;

import org.apache.spark.sql.SparkSessionExtensions;
import scala.runtime.AbstractFunction1;
import scala.runtime.BoxedUnit;

/**
 * inferlake's Spark SQL extension: adds the table-valued function {@code inferlake_predict} to
 * every session built with {@code
 * spark.sql.extensions=io.delta.sql.DeltaSparkSessionExtension,dev.inferlake.driver.sql.InferlakeSqlExtensions}
 * (and the driver jar on the classpath). inferlake's own sessions register it themselves ({@link
 * PredictFunction#register}).
 */
public final class InferlakeSqlExtensions
    extends AbstractFunction1<SparkSessionExtensions, BoxedUnit> {
  @Override
  public BoxedUnit apply(SparkSessionExtensions extensions) {
    dev.inferlake.driver.compat.SparkCompat.injectTableFunction(
        extensions, PredictFunction.id(), PredictFunction.info(), PredictFunction::plan);
    return BoxedUnit.UNIT;
  }
}
