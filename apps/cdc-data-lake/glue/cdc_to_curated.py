"""Glue Spark job of the ChangeDataCaptureLake reference app (notes 1.5, 3.1).

Turns the change records DMS writes to the raw zone into a curated, partitioned
Parquet change log:

1. reads the Parquet files under the raw table's location that earlier runs did not
   process (job bookmarks, transformation_ctx "raw_changes"), recursively: DMS writes
   full-load files at the table's root and change files under YYYY/MM/DD/ folders;
2. keeps, for each key, the latest change of the batch (by the DMS commit time);
3. adds change_date (yyyy-MM-dd of the commit time, UTC) and writes Snappy Parquet to
   <target_path>/change_date=.../, adding new partitions to the curated table in the
   Data Catalog (enableUpdateCatalog).

Deletes are kept as rows with op = 'D', so a query can rebuild the current state
(latest change per key, op <> 'D').

Arguments set by DataLakeEtlJob: --JOB_NAME, --source_database, --source_table,
--target_path, --partition_keys, --target_database, --target_table.
"""
import sys

import boto3
from awsglue.context import GlueContext
from awsglue.dynamicframe import DynamicFrame
from awsglue.job import Job
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext
from pyspark.sql import Window
from pyspark.sql import functions as F

KEY_COLUMN = "order_id"
COMMIT_COLUMN = "dms_commit_ts"
CURATED_COLUMNS = ["order_id", "customer_id", "amount", "status", "updated_at", "op", "dms_commit_ts"]

args = getResolvedOptions(sys.argv, [
    "JOB_NAME", "source_database", "source_table", "target_path",
    "partition_keys", "target_database", "target_table",
])

glue_context = GlueContext(SparkContext.getOrCreate())
job = Job(glue_context)
job.init(args["JOB_NAME"], args)

# The raw table's location comes from the catalog (glue:GetTable on this one table).
table = boto3.client("glue").get_table(DatabaseName=args["source_database"], Name=args["source_table"])["Table"]
raw_location = table["StorageDescriptor"]["Location"]

raw = glue_context.create_dynamic_frame.from_options(
    connection_type="s3",
    connection_options={"paths": [raw_location], "recurse": True},
    format="parquet",
    transformation_ctx="raw_changes",
)

if raw.count() > 0:
    changes = raw.toDF()
    # DMS names the columns as the source does; the catalog and the queries use lower case
    changes = changes.toDF(*[c.lower() for c in changes.columns])
    latest_first = Window.partitionBy(KEY_COLUMN).orderBy(F.col(COMMIT_COLUMN).desc())
    latest = (
        changes.withColumn("change_rank", F.row_number().over(latest_first))
        .where(F.col("change_rank") == 1)
        .select(*CURATED_COLUMNS)
        .withColumn("change_date", F.date_format(F.col(COMMIT_COLUMN), "yyyy-MM-dd"))
    )
    sink = glue_context.getSink(
        connection_type="s3",
        path=args["target_path"],
        enableUpdateCatalog=True,
        updateBehavior="LOG",
        partitionKeys=["change_date"],
        transformation_ctx="curated_changes",
    )
    sink.setFormat("glueparquet", compression="snappy")
    sink.setCatalogInfo(catalogDatabase=args["target_database"], catalogTableName=args["target_table"])
    sink.writeFrame(DynamicFrame.fromDF(latest, glue_context, "curated_changes"))

job.commit()
