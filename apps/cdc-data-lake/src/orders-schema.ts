import { Column, ColumnType, PartitionKey } from '@analytics-patterns/storage';

/**
 * What the app replicates and curates: the `sales.orders` table of the source database.
 * To replicate another table, change these constants (and the source's DDL in LAB.md).
 */
export const SOURCE_SCHEMA = 'sales';
/** The replicated and curated table. */
export const SOURCE_TABLE = 'orders';
/** Key column of the table (the curated change log keeps the latest change per key and batch). */
export const KEY_COLUMN = 'order_id';

/** Glue database of the raw zone (DMS output, catalogued by the crawler). */
export const RAW_DATABASE = 'cdc_raw';
/** Glue database of the curated zone (Parquet written by the Glue job), governed by Lake Formation. */
export const CURATED_DATABASE = 'cdc_curated';

/** Prefix under which DMS writes `<schema>/<table>/YYYY/MM/DD/` in the raw zone. */
export const DMS_PREFIX = 'dms';
/** The raw table's prefix: `dms/sales/orders/`. */
export const RAW_TABLE_PREFIX = `${DMS_PREFIX}/${SOURCE_SCHEMA}/${SOURCE_TABLE}/`;
/** The curated table's prefix in the curated zone. */
export const CURATED_PREFIX = `${SOURCE_TABLE}/`;
/** Prefix of the MSK Connect S3 sink (the streaming alternative) in the raw zone. */
export const KAFKA_PREFIX = 'kafka';
/** The Kafka topic the streaming alternative copies to the raw zone. */
export const KAFKA_TOPIC = 'sales.orders.changes';

/** Columns of the source table, as DMS writes them to Parquet. */
export const ORDER_COLUMNS: Column[] = [
  { name: 'order_id', type: ColumnType.BIGINT },
  { name: 'customer_id', type: ColumnType.STRING, comment: 'Personal data: not shared with the external analyst account' },
  { name: 'amount', type: ColumnType.decimal(12, 2) },
  { name: 'status', type: ColumnType.STRING },
  { name: 'updated_at', type: ColumnType.TIMESTAMP },
];

/**
 * Raw columns: DMS adds `op` (I, U or D; full-load rows are I with `includeOpForFullLoad`) and
 * the commit time `dms_commit_ts` (the endpoint's `timestampColumnName`) before the source columns.
 */
export const RAW_COLUMNS: Column[] = [
  { name: 'op', type: ColumnType.STRING, comment: 'DMS operation: I (insert or full load), U (update), D (delete)' },
  { name: 'dms_commit_ts', type: ColumnType.TIMESTAMP, comment: 'Commit time of the change in the source' },
  ...ORDER_COLUMNS,
];

/**
 * DMS date folders (`YYYY/MM/DD`, not Hive-style): the crawler adds each folder as a partition
 * of the raw table, by position, under these names.
 */
export const RAW_PARTITION_KEYS: PartitionKey[] = [{ name: 'year' }, { name: 'month' }, { name: 'day' }];

/** Curated columns: the latest change of each order in a job run, with the operation kept. */
export const CURATED_COLUMNS: Column[] = [
  ...ORDER_COLUMNS,
  { name: 'op', type: ColumnType.STRING, comment: 'Last operation of the order in the batch (D = deleted in the source)' },
  { name: 'dms_commit_ts', type: ColumnType.TIMESTAMP, comment: 'Commit time of that change' },
];

/** The curated change log is partitioned by the day of the change (Hive-style `change_date=YYYY-MM-DD/`). */
export const CURATED_PARTITION_KEYS: PartitionKey[] = [{ name: 'change_date', comment: 'Day (UTC) of the change, yyyy-MM-dd' }];

/** The column the external analyst account may not read (Lake Formation column grant). */
export const PERSONAL_COLUMNS = ['customer_id'];

/** Athena query: the current state of every order (latest change per key, deleted orders left out). */
export const CURRENT_ORDERS_SQL = [
  'SELECT order_id, customer_id, amount, status, updated_at',
  'FROM (',
  '  SELECT *, row_number() OVER (PARTITION BY order_id ORDER BY dms_commit_ts DESC) AS rn',
  `  FROM ${CURATED_DATABASE}.${SOURCE_TABLE}`,
  ')',
  "WHERE rn = 1 AND op <> 'D'",
  'ORDER BY order_id',
].join('\n');

/** Athena query: changes per day and operation (partition-pruned to the last 7 days). */
export const CHANGES_PER_DAY_SQL = [
  'SELECT change_date, op, count(*) AS changes',
  `FROM ${CURATED_DATABASE}.${SOURCE_TABLE}`,
  "WHERE change_date >= date_format(current_date - interval '7' day, '%Y-%m-%d')",
  'GROUP BY change_date, op',
  'ORDER BY change_date, op',
].join('\n');
