"""Nightly batch scoring with inferlake, as an Airflow DAG.

Each run scores the job spec for Airflow's logical date (`ds`): the input is the events of that
date only (`input.where` with `${ds}`, filled by inferlake from `--ds`, so Spark reads only that
date's partition), and a retry, a rerun or a backfill of a date replaces exactly that date's
predictions (inferlake writes with Delta `replaceWhere` on `ds` and the job's model versions).
See README.md in this folder for which input mode fits which data.

The Spark drivers run in the cluster (`--deploy-mode cluster`), where spark-submit does not
return the driver's exit code (standalone: 0; YARN: 1 for any failure; Kubernetes on Spark 3.5:
0). So each task submits with `--status-file` on shared storage, then runs `inferlake status`
on that file, which exits with the code the driver exited with: the task's exit code is the
job's, and Airflow's retries and failure alerts work as in client mode.
"""

import shlex
from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.bash import BashOperator

SPARK_MASTER = "spark://spark-master:7077"  # or yarn, or k8s://https://kube-api:6443
INFERLAKE_JAR = "/opt/inferlake/inferlake-driver-cluster.jar"
# Everything the driver reads or writes lives on shared storage: the driver runs on whichever
# cluster node Spark picks, so a path on the Airflow worker would not be there.
STORE = "hdfs:///inferlake/churn"
JOB_SPEC = STORE + "/jobs/churn.yaml"
DELTA = "io.delta:delta-spark_2.12:3.3.3"
JAVA17_FLAGS = " ".join(
    ["--add-opens=java.base/" + p + "=ALL-UNNAMED" for p in [
        "java.lang", "java.lang.invoke", "java.lang.reflect", "java.io", "java.net", "java.nio",
        "java.util", "java.util.concurrent", "java.util.concurrent.atomic", "sun.nio.ch",
        "sun.nio.cs", "sun.security.action", "sun.util.calendar"]]
    + ["-Djdk.reflect.useDirectMethodHandle=false"]
)  # the list in scripts/jvm.options
CONF = {
    "spark.sql.extensions": "io.delta.sql.DeltaSparkSessionExtension",
    "spark.sql.catalog.spark_catalog": "org.apache.spark.sql.delta.catalog.DeltaCatalog",
    # Java 17: a standalone worker starts the driver JVM without Spark's module flags
    # (harmless on YARN and Kubernetes)
    "spark.driver.extraJavaOptions": JAVA17_FLAGS,
    # standalone only: spark-submit waits for the driver, as on YARN and Kubernetes
    "spark.standalone.submit.waitAppCompletion": "true",
}


def inferlake(task_id, args, conf=None, **kwargs):
    """One inferlake command in cluster deploy mode; the task exits with the driver's code.

    The status file is per try ({{ ti.try_number }}), so a try whose driver never started can
    never read the outcome of the try before it.
    """
    status = STORE + "/status/{{ ds }}/" + task_id + "-{{ ti.try_number }}.json"
    submit = ["spark-submit", "--master", SPARK_MASTER, "--deploy-mode", "cluster",
              "--class", "dev.inferlake.driver.InferlakeCli", "--packages", DELTA]
    for key, value in {**CONF, **(conf or {})}.items():
        submit += ["--conf", key + "=" + value]
    submit += [INFERLAKE_JAR] + args + ["--status-file", status]
    # A local Spark runtime only to read the status file through Hadoop (hdfs:, s3a:).
    check = ["spark-submit", "--master", "local[1]", "--class",
             "dev.inferlake.driver.InferlakeCli", INFERLAKE_JAR, "status", status, "--wait", "600"]
    return BashOperator(
        task_id=task_id,
        # spark-submit's own exit code says nothing about the job here: 'status' decides
        bash_command=shlex.join(submit) + "; " + shlex.join(check),
        **kwargs,
    )


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
    score = inferlake(
        "score",
        [
            "run",
            "--job", JOB_SPEC,
            "--ds", "{{ ds }}",
            # Score that date's events only. ${ds} is inferlake's placeholder, not Jinja's: it
            # is filled from --ds as a date (the job spec may say this itself; --set shows it).
            "--set", "input.where=event_date = '${ds}'",
            "--metrics-file", STORE + "/metrics/{{ ds }}.prom",
            "--report", STORE + "/reports/{{ ds }}",
        ],
        conf={
            "spark.task.cpus": "2",  # ONNX Runtime intra-op threads per task
            # Executors decrypt encrypted packages with the keyset in this variable (the job
            # spec says security.decryption_key_env: INFERLAKE_MODEL_SECRET); "secret" in its
            # name keeps it redacted in Spark's UI and event logs.
            "spark.executorEnv.INFERLAKE_MODEL_SECRET": "{{ var.value.inferlake_model_secret }}",
        },
        execution_timeout=timedelta(hours=3),
    )

    # Compares the date's model versions and fails (exit 6) when one fails its thresholds; the
    # report is written either way. Downstream promotion tasks hang off this one.
    gate = inferlake(
        "report_gate",
        [
            "report",
            "--table", "/lake/predictions/churn",
            "--ds", "{{ ds }}",
            "--baseline", "churn:v1",
            "--reference", "{{ macros.ds_add(ds, -7) }}",
            "--threshold", "psi_vs_reference<=0.2",
            "--threshold", "accuracy_delta>=-0.005",
            "--out", STORE + "/reports/{{ ds }}/gate",
            "--fail-on-threshold",
        ],
        retries=0,  # a failed threshold is an answer, not a fault
        execution_timeout=timedelta(hours=1),
    )

    score >> gate
