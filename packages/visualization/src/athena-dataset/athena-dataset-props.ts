import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';

/** QuickSight column types. */
export enum DatasetColumnType {
  STRING = 'STRING',
  INTEGER = 'INTEGER',
  DECIMAL = 'DECIMAL',
  DATETIME = 'DATETIME',
  BOOLEAN = 'BOOLEAN',
}

/** A column of the Athena table, as QuickSight reads it. */
export interface DatasetColumn {
  /** Column name in the table. */
  readonly name: string;
  /** QuickSight type. */
  readonly type: DatasetColumnType;
}

/** How QuickSight queries the data. */
export enum DatasetImportMode {
  /**
   * Import into SPICE (in-memory): fast dashboards, no Athena query per visual, and no
   * Athena time-outs on big queries; refreshed on a schedule. Counts against SPICE capacity.
   */
  SPICE = 'SPICE',
  /** Query Athena for every visual: always current, but large queries may time out. */
  DIRECT_QUERY = 'DIRECT_QUERY',
}

/** Where the data lives and how Athena knows it. */
export interface AthenaTableSource {
  /** Glue database. */
  readonly databaseName: string;
  /** Glue table. */
  readonly tableName: string;
  /** Columns to expose: 1-2,048, distinct. */
  readonly columns: DatasetColumn[];
  /** Bucket holding the table's data. */
  readonly dataBucket: s3.IBucket;
  /**
   * Prefix of the table's data in the bucket.
   * @default - the whole bucket
   */
  readonly dataPrefix?: string;
  /**
   * Key of the data, if it is not the bucket's own key (the role may decrypt with it through S3).
   * @default - the bucket's encryption key
   */
  readonly encryptionKey?: kms.IKey;
}

/** Columns only some principals may see (QuickSight column-level security). */
export interface RestrictedColumns {
  /** Columns to restrict. */
  readonly columnNames: string[];
  /** QuickSight user or group ARNs that may see them; nobody else does. */
  readonly allowedPrincipalArns: string[];
}

/** Daily SPICE refresh. */
export interface DailyRefresh {
  /**
   * Time of day, `HH:MM` (24 h).
   * @default '06:00'
   */
  readonly timeOfDay?: string;
  /**
   * IANA time zone name (for example `Europe/Paris`); QuickSight takes the Java time zone
   * ids, which are the IANA names.
   * @default 'UTC'
   */
  readonly timeZone?: string;
}

/** Props for {@link AthenaDataset}. */
export interface AthenaDatasetProps {
  /** Name shown in QuickSight (1-128 characters). */
  readonly name: string;
  /** Athena workgroup the queries run in (its result location and limits apply). */
  readonly workGroupName: string;
  /** Bucket of the workgroup's query results. */
  readonly resultsBucket: s3.IBucket;
  /**
   * Prefix of query results in that bucket.
   * @default - the whole bucket
   */
  readonly resultsPrefix?: string;
  /** The table. */
  readonly table: AthenaTableSource;
  /** QuickSight user/group ARNs that own (author) the data source and dataset. At least one. */
  readonly ownerArns: string[];
  /**
   * QuickSight user/group ARNs that may only use the dataset (readers of dashboards built on it).
   * @default - none
   */
  readonly readerArns?: string[];
  /**
   * SPICE or direct query.
   * @default DatasetImportMode.SPICE
   */
  readonly importMode?: DatasetImportMode;
  /**
   * Daily SPICE refresh (SPICE only).
   * @default - daily at 06:00 UTC for SPICE datasets
   */
  readonly refresh?: DailyRefresh;
  /**
   * Column-level security.
   * @default - every column visible to every principal of the dataset
   */
  readonly restrictedColumns?: RestrictedColumns[];
  /**
   * The table is governed by Lake Formation: the data source role also gets
   * `lakeformation:GetDataAccess` (Lake Formation then decides what it reads).
   * @default false
   */
  readonly lakeFormationGoverned?: boolean;
}
