"""Glue Spark ETL job (analytics-patterns DataLakeEtlJob, notes 3.1).

Reads the new partitions of a catalogued raw table (job bookmarks skip what
earlier runs processed), drops empty fields and exact duplicates, and writes
Snappy Parquet under Hive-style partitions into the target prefix, adding the
new partitions to the target table in the Data Catalog when one is given.

Arguments (set by the construct):
  --JOB_NAME, --source_database, --source_table, --target_path,
  --partition_keys (comma-separated, may be empty),
  --target_database and --target_table ("-" = no catalog update; "-" in --partition_keys = none)
"""
import sys

from awsglue.context import GlueContext
from awsglue.job import Job
from awsglue.transforms import DropNullFields
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext

args = getResolvedOptions(sys.argv, [
    "JOB_NAME", "source_database", "source_table", "target_path",
    "partition_keys", "target_database", "target_table",
])
partition_keys = [k for k in args["partition_keys"].split(",") if k and k != "-"]

glue_context = GlueContext(SparkContext.getOrCreate())
job = Job(glue_context)
job.init(args["JOB_NAME"], args)

# transformation_ctx names the bookmark state: only unprocessed files are read
source = glue_context.create_dynamic_frame.from_catalog(
    database=args["source_database"],
    table_name=args["source_table"],
    transformation_ctx="source",
)

if source.count() > 0:
    cleaned = DropNullFields.apply(frame=source, transformation_ctx="drop_null_fields")
    deduplicated = cleaned.toDF().dropDuplicates()
    frame = cleaned.fromDF(deduplicated, glue_context, "deduplicated")

    if args["target_database"] != "-" and args["target_table"] != "-":
        sink = glue_context.getSink(
            connection_type="s3",
            path=args["target_path"],
            enableUpdateCatalog=True,
            updateBehavior="UPDATE_IN_DATABASE",
            partitionKeys=partition_keys,
            transformation_ctx="sink",
        )
        sink.setFormat("glueparquet", compression="snappy")
        sink.setCatalogInfo(catalogDatabase=args["target_database"], catalogTableName=args["target_table"])
        sink.writeFrame(frame)
    else:
        glue_context.write_dynamic_frame.from_options(
            frame=frame,
            connection_type="s3",
            connection_options={"path": args["target_path"], "partitionKeys": partition_keys},
            format="glueparquet",
            format_options={"compression": "snappy"},
            transformation_ctx="sink",
        )

job.commit()
