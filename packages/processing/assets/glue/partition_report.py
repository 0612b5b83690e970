"""Glue Python shell job (analytics-patterns DataLakeEtlJob, PYTHON_SHELL option).

A small, single-node task that needs no Spark cluster: it counts the partitions
and objects of a catalogued table and prints a report to the job's log.
Python shell jobs have no job bookmarks; they suit light tasks (reports,
API calls, starting Athena queries) at 1/16 or 1 DPU.

Arguments: --source_database, --source_table
"""
import sys

import boto3
from awsglue.utils import getResolvedOptions

args = getResolvedOptions(sys.argv, ["source_database", "source_table"])
glue = boto3.client("glue")

partitions = 0
paginator = glue.get_paginator("get_partitions")
for page in paginator.paginate(DatabaseName=args["source_database"], TableName=args["source_table"]):
    partitions += len(page["Partitions"])

table = glue.get_table(DatabaseName=args["source_database"], Name=args["source_table"])["Table"]
print(f"{args['source_database']}.{args['source_table']}: {partitions} registered partitions, "
      f"location {table['StorageDescriptor']['Location']}")
