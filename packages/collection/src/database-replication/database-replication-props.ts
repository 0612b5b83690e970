import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';

/** Source database engines (DMS endpoint engine names). */
export enum SourceEngine {
  /** MySQL (CDC needs binary logging in ROW format). */
  MYSQL = 'mysql',
  /** MariaDB (CDC needs binary logging in ROW format). */
  MARIADB = 'mariadb',
  /** Amazon Aurora MySQL-Compatible Edition. */
  AURORA_MYSQL = 'aurora',
  /** PostgreSQL (CDC needs logical replication). */
  POSTGRES = 'postgres',
  /** Amazon Aurora PostgreSQL-Compatible Edition. */
  AURORA_POSTGRESQL = 'aurora-postgresql',
}

/** What to replicate. */
export enum ReplicationType {
  /** Copy the tables once. */
  FULL_LOAD = 'full-load',
  /** Stream changes only. */
  CDC = 'cdc',
  /** Copy, then keep streaming changes (an on-going replica in the lake). */
  FULL_LOAD_AND_CDC = 'full-load-and-cdc',
}

/** A table selection rule: schema and table name, `%` as a wildcard. */
export interface TableSelection {
  /** Schema name (or pattern). */
  readonly schema: string;
  /**
   * Table name (or pattern).
   * @default '%' (every table of the schema)
   */
  readonly table?: string;
}

/** Props for {@link DatabaseReplication}. */
export interface DatabaseReplicationProps {
  /** VPC from which DMS reaches the source database and S3. */
  readonly vpc: ec2.IVpc;
  /**
   * Subnets of the replication (at least two zones).
   * @default - the VPC's private subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /** Source engine. */
  readonly engine: SourceEngine;
  /** Source database name (1-128 letters, digits, `_`, `$`, `-`). */
  readonly databaseName: string;
  /**
   * Secret with the source's `host`, `port`, `username` and `password` (the format DMS reads);
   * the connection always uses TLS. Import it with its key
   * (`Secret.fromSecretAttributes({ secretCompleteArn, encryptionKey })`) when it is encrypted
   * with a customer-managed key, so the role may decrypt it.
   */
  readonly sourceSecret: secretsmanager.ISecret;
  /**
   * Where the source database is, for the security group's egress rule.
   * @default - any IPv4 address (only on the database port)
   */
  readonly sourcePeer?: ec2.IPeer;
  /**
   * Port of the source database: 1-65,535.
   * @default 3306 for MySQL-compatible engines, 5432 for PostgreSQL-compatible ones
   */
  readonly sourcePort?: number;
  /** Tables to replicate: 1 to 1,000 selection rules. */
  readonly tables: TableSelection[];
  /**
   * Bucket of the lake's raw zone. An imported bucket is fine; if it has its own key, import
   * it with that key (`Bucket.fromBucketAttributes({ bucketName, encryptionKey })`).
   */
  readonly targetBucket: s3.IBucket;
  /**
   * Prefix under which DMS writes `<schema>/<table>/YYYY/MM/DD/` Parquet files (the target
   * role may write only under it).
   * @default 'dms'
   */
  readonly targetPrefix?: string;
  /**
   * Full load, CDC, or both.
   * @default ReplicationType.FULL_LOAD_AND_CDC
   */
  readonly replicationType?: ReplicationType;
  /**
   * Most DMS capacity units (DCUs, 2 GiB of RAM each) DMS Serverless may scale to: 1, 2, 4, 8,
   * 16, 32, 64, 128, 192, 256 or 384.
   * @default 16
   */
  readonly maxCapacityUnits?: number;
  /**
   * Fewest DCUs (same values), at most `maxCapacityUnits`.
   * @default 2, or the maximum if it is lower; not set (DMS then uses 1) when `maxCapacityUnits` is a token
   */
  readonly minCapacityUnits?: number;
  /**
   * Run in two Availability Zones.
   * @default true
   */
  readonly multiAz?: boolean;
  /**
   * Key for DMS storage and the S3 objects (if the bucket has no key of its own).
   * @default - the bucket's key, or a new DataKey
   */
  readonly encryptionKey?: kms.IKey;
}
