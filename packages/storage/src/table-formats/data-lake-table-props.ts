import * as s3 from 'aws-cdk-lib/aws-s3';
import { Column } from './column-type';
import { IDataLakeDatabase } from './data-lake-database';
import { PartitionKey } from './partition-projection';
import { TableFormat } from './table-format';

/** Props for {@link DataLakeTable}. */
export interface DataLakeTableProps {
  /** Database of the table. */
  readonly database: IDataLakeDatabase;
  /** Table name: 1-255 lower-case letters, digits and "_". */
  readonly tableName: string;
  /**
   * Description.
   * @default - none
   */
  readonly description?: string;
  /** File format (SerDe and input/output formats). */
  readonly format: TableFormat;
  /** Data columns (not the partition keys), in file order. */
  readonly columns: Column[];
  /**
   * Partition columns, in S3 key order (`<k1>=<v1>/<k2>=<v2>/`).
   * @default - not partitioned
   */
  readonly partitionKeys?: PartitionKey[];
  /** Bucket that holds the data. */
  readonly bucket: s3.IBucket;
  /**
   * Key prefix of the table's data (ending with "/"), e.g. `events/`; the
   * partitions are below it. Empty for the bucket root.
   */
  readonly prefix: string;
  /**
   * Athena `storage.location.template` when partitions are projected: the location
   * with a `${<key>}` placeholder for every partition key.
   * @default - Hive-style: `s3://<bucket>/<prefix><k1>=${k1}/<k2>=${k2}/`
   */
  readonly storageLocationTemplate?: string;
  /**
   * Extra table properties (e.g. `has_encrypted_data`). Cannot override the
   * format's, classification or projection properties.
   * @default - none
   */
  readonly tableProperties?: { [key: string]: string };
}
