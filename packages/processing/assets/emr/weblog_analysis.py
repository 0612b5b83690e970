"""Weekly web-log analysis (reference app batch-analytics, notes 3.3 and 3.4).

Reads the raw zone (JSON lines or gzip'd JSON lines, as delivered by the daily
copy of the web servers' logs), aggregates page views per day, page and HTTP
status, and writes Parquet to the curated zone, partitioned by day.

    spark-submit --deploy-mode cluster weblog_analysis.py \
        --input s3://raw-bucket/raw/weblogs/ --output s3://curated-bucket/curated/weblog_daily/

EMRFS writes with SSE-KMS (the cluster's security configuration); the cluster's
instance role may only read the input prefix and write the output prefix.
"""
import argparse

from pyspark.sql import SparkSession
from pyspark.sql import functions as F


def parse_args():
    parser = argparse.ArgumentParser(description="Aggregate raw web logs into a curated Parquet table")
    parser.add_argument("--input", required=True, help="s3:// prefix of the raw JSON logs")
    parser.add_argument("--output", required=True, help="s3:// prefix of the curated Parquet table")
    parser.add_argument("--lookback-days", type=int, default=7, help="days of logs to (re)aggregate")
    return parser.parse_args()


def main():
    args = parse_args()
    spark = SparkSession.builder.appName("weblog-analysis").getOrCreate()
    # overwrite only the partitions this run produces (re-runs are idempotent)
    spark.conf.set("spark.sql.sources.partitionOverwriteMode", "dynamic")

    logs = spark.read.json(args.input)
    since = F.date_sub(F.current_date(), args.lookback_days)
    daily = (
        logs.withColumn("ts", F.to_timestamp("timestamp"))
        .withColumn("dt", F.to_date("ts"))
        .where(F.col("dt") >= since)
        .groupBy("dt", "page", "status")
        .agg(
            F.count(F.lit(1)).alias("requests"),
            F.countDistinct("client_ip").alias("unique_clients"),
            F.avg("response_time_ms").alias("avg_response_time_ms"),
        )
    )
    daily.repartition("dt").write.mode("overwrite").partitionBy("dt").parquet(args.output)
    spark.stop()


if __name__ == "__main__":
    main()
