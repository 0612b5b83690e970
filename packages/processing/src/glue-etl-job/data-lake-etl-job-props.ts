import { IDataLakeDatabase, IDataLakeTable } from '@analytics-patterns/storage';
import { Duration } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { GlueSecurityConfiguration } from '../glue-crawler/glue-security-configuration';

/** Kind of Glue job. */
export enum GlueJobType {
  /** Apache Spark ETL (`glueetl`): distributed, job bookmarks, G.* workers. */
  SPARK = 'glueetl',
  /** Python shell (`pythonshell`): one node of 1/16 or 1 DPU, no Spark, no bookmarks. */
  PYTHON_SHELL = 'pythonshell',
}

/** Spark worker type (1 DPU = 4 vCPU and 16 GB of memory). */
export enum GlueWorkerType {
  /** 1 DPU per worker (4 vCPU, 16 GB); at most 299 workers. */
  G_1X = 'G.1X',
  /** 2 DPU per worker (8 vCPU, 32 GB); at most 149 workers. */
  G_2X = 'G.2X',
  /** 4 DPU per worker (16 vCPU, 64 GB), Glue 3.0 and later. */
  G_4X = 'G.4X',
  /** 8 DPU per worker (32 vCPU, 128 GB), Glue 3.0 and later. */
  G_8X = 'G.8X',
}

/** Where the job writes. */
export interface EtlTarget {
  /** Target bucket. */
  readonly bucket: s3.IBucket;
  /** Target prefix, ending with "/". */
  readonly prefix: string;
  /**
   * Partition columns of the output (Hive-style folders).
   * @default - the source table's partition keys
   */
  readonly partitionKeys?: string[];
  /**
   * Catalog database of the target table (with `tableName`: the job adds new
   * partitions and schema changes to it, `enableUpdateCatalog`).
   * @default - the job writes files only
   */
  readonly database?: IDataLakeDatabase;
  /**
   * Catalog table of the output (needs `database`).
   * @default - none
   */
  readonly tableName?: string;
}

/** Props for {@link DataLakeEtlJob}. */
export interface DataLakeEtlJobProps {
  /** Catalogued source table (read with its database, bucket and prefix). */
  readonly source: IDataLakeTable;
  /** Output location (Spark jobs). Python shell jobs may leave it out. */
  readonly target?: EtlTarget;
  /**
   * Spark ETL or Python shell.
   * @default GlueJobType.SPARK
   */
  readonly jobType?: GlueJobType;
  /**
   * Local path of the script, shipped as an S3 asset.
   * @default - the package's `assets/glue/raw_to_curated.py` (Spark) or `assets/glue/partition_report.py` (Python shell)
   */
  readonly scriptPath?: string;
  /**
   * Job name (1-255 characters).
   * @default - generated from the construct path
   */
  readonly jobName?: string;
  /**
   * Glue version: 3.0, 4.0 or 5.0 for Spark; 3.0 for Python shell (Python 3.9).
   * @default '5.0' for Spark, '3.0' for Python shell
   */
  readonly glueVersion?: string;
  /**
   * Spark worker type.
   * @default GlueWorkerType.G_1X
   */
  readonly workerType?: GlueWorkerType;
  /**
   * Spark workers: at least 2; at most 299 for G.1X and 149 for G.2X.
   * @default 2
   */
  readonly numberOfWorkers?: number;
  /**
   * Python shell capacity in DPU: 0.0625 (1/16) or 1.
   * @default 0.0625
   */
  readonly pythonShellCapacity?: number;
  /**
   * Job bookmarks (Spark only; Python shell jobs have none): each run processes
   * only data that earlier runs did not.
   * @default true for Spark
   */
  readonly jobBookmarks?: boolean;
  /**
   * Run time limit: 1 minute to 7 days.
   * @default Duration.hours(2)
   */
  readonly timeout?: Duration;
  /**
   * Retries after a failed run: 0-10.
   * @default 0
   */
  readonly maxRetries?: number;
  /**
   * Concurrent runs allowed. Must be 1 with job bookmarks (two runs would read the same new data).
   * @default 1
   */
  readonly maxConcurrentRuns?: number;
  /**
   * Security configuration (encrypted logs, bookmarks and S3 output).
   * @default - a new GlueSecurityConfiguration with the target bucket's key (or a new key)
   */
  readonly securityConfiguration?: GlueSecurityConfiguration;
  /**
   * Allow the role to get Lake Formation temporary credentials (`lakeformation:GetDataAccess`).
   * @default false
   */
  readonly lakeFormationGoverned?: boolean;
}
