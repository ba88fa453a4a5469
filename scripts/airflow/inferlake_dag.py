"""Nightly batch scoring with inferlake, as an Airflow DAG.

Each run scores the job spec for Airflow's logical date (`ds`), so a retry, a rerun or a
backfill of a date replaces exactly that date's predictions (inferlake writes with Delta
`replaceWhere` on `ds` and the job's model versions). See README.md in this folder.
"""

from datetime import datetime, timedelta

from airflow import DAG
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

INFERLAKE_JAR = "/opt/inferlake/inferlake-driver-cluster.jar"
JOB_SPEC = "/opt/inferlake/jobs/churn.yaml"

default_args = {
    "owner": "ml-platform",
    # Exit codes 3 (input), 4 (model) and 2 (spec) will not fix themselves, but a retry is
    # harmless: a rerun of the same ds leaves the same table contents.
    "retries": 2,
    "retry_delay": timedelta(minutes=10),
}

with DAG(
    dag_id="inferlake_churn_nightly",
    description="Score yesterday's events with every churn model version into Delta",
    start_date=datetime(2026, 11, 1),
    schedule="0 3 * * *",
    catchup=True,  # backfills score each missed date into its own partition
    max_active_runs=4,  # different dates write different partitions and may run together
    default_args=default_args,
    tags=["inferlake", "batch-inference"],
) as dag:
    score = SparkSubmitOperator(
        task_id="score",
        conn_id="spark_default",
        application=INFERLAKE_JAR,
        java_class="dev.inferlake.driver.InferlakeCli",
        packages="io.delta:delta-spark_2.12:3.3.3",
        conf={
            "spark.sql.extensions": "io.delta.sql.DeltaSparkSessionExtension",
            "spark.sql.catalog.spark_catalog": "org.apache.spark.sql.delta.catalog.DeltaCatalog",
            "spark.task.cpus": "2",  # ONNX Runtime intra-op threads per task
        },
        application_args=[
            "run",
            "--job", JOB_SPEC,
            "--ds", "{{ ds }}",
            "--metrics-file", "/var/lib/node_exporter/textfile/inferlake_churn.prom",
        ],
        name="inferlake-churn-{{ ds }}",
        execution_timeout=timedelta(hours=3),
    )

    # Compares the date's model versions and fails the task (exit 6) when one fails its
    # thresholds; the report is written either way. Downstream promotion tasks hang off this one.
    gate = SparkSubmitOperator(
        task_id="report_gate",
        conn_id="spark_default",
        application=INFERLAKE_JAR,
        java_class="dev.inferlake.driver.InferlakeCli",
        packages="io.delta:delta-spark_2.12:3.3.3",
        conf={
            "spark.sql.extensions": "io.delta.sql.DeltaSparkSessionExtension",
            "spark.sql.catalog.spark_catalog": "org.apache.spark.sql.delta.catalog.DeltaCatalog",
        },
        application_args=[
            "report",
            "--table", "/lake/predictions/churn",
            "--ds", "{{ ds }}",
            "--baseline", "churn:v1",
            "--reference", "{{ macros.ds_add(ds, -7) }}",
            "--threshold", "psi_vs_reference<=0.2",
            "--threshold", "accuracy_delta>=-0.005",
            "--out", "/reports/churn/{{ ds }}",
            "--fail-on-threshold",
        ],
        name="inferlake-churn-report-{{ ds }}",
        retries=0,  # a failed threshold is an answer, not a fault
        execution_timeout=timedelta(hours=1),
    )

    score >> gate
