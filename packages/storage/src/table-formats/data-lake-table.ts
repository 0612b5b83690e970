import { CustomerManagedPolicies, Sandbox } from '@analytics-patterns/core';
import { Stack } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { Column, ColumnType } from './column-type';
import { DataLakeDatabase, IDataLakeDatabase } from './data-lake-database';
import { DataLakeTableProps } from './data-lake-table-props';
import { validateTable } from './data-lake-table-validation';
import { PartitionKey, PartitionKeys } from './partition-projection';
import { TableFormat } from './table-format';

const CATALOG_READ_ACTIONS = ['glue:GetDatabase', 'glue:GetTable', 'glue:GetTables', 'glue:GetPartition', 'glue:GetPartitions', 'glue:BatchGetPartition'];

/**
 * A catalogued table as other constructs read it (an ETL job's source, the tables an Athena
 * workgroup's queries read): a {@link DataLakeTable}, or any table of yours with its location.
 */
export interface IDataLakeTable {
  /** Table name. */
  readonly tableName: string;
  /** Database name. */
  readonly databaseName: string;
  /** The database. */
  readonly database: IDataLakeDatabase;
  /** ARN of the table. */
  readonly tableArn: string;
  /** Partition keys, in S3 key order. */
  readonly partitionKeys: PartitionKey[];
  /** Bucket of the data. */
  readonly bucket: s3.IBucket;
  /** Key prefix of the data ('' or ending with "/"). */
  readonly prefix: string;
  /** Grants reading the table definition and partitions in the catalog, and the objects under the prefix. */
  grantRead(grantee: iam.IGrantable): iam.Grant;
  /** Grants reading only the table definition and partitions in the catalog. */
  grantReadMetadata(grantee: iam.IGrantable): iam.Grant;
}

/**
 * An external Glue table over S3 data in one of the notes' file formats (2.1),
 * with typed columns, partition keys and, optionally, Athena partition projection.
 *
 * - The format fixes the SerDe, input/output formats, `classification` and the
 *   format's table properties (Parquet/ORC Snappy; CSV header skipping; Avro's
 *   `avro.schema.literal`, generated from the columns so the two never disagree).
 * - Columns (`columns`, `partitionKeys`, `columnNames`, `hasColumn()`,
 *   `columnType()`) are exposed so Lake Formation column grants and row filters
 *   can be checked against the schema at synth time.
 * - When every partition key has a projection, `projection.enabled` is set with one
 *   `projection.<key>.*` group per key and `storage.location.template`; Athena then
 *   finds new partitions without a crawler run or MSCK REPAIR TABLE.
 * - A Parquet or ORC table is the schema Firehose record format conversion needs
 *   (`StreamIngestion.formatConversion`): point the table at the ingestion prefix.
 *
 * @example
 * const db = new DataLakeDatabase(this, 'Db', { databaseName: 'clickstream' });
 * const events = new DataLakeTable(this, 'Events', {
 *   database: db,
 *   tableName: 'events',
 *   format: TableFormat.PARQUET,
 *   columns: [
 *     { name: 'event_id', type: ColumnType.STRING },
 *     { name: 'amount', type: ColumnType.decimal(10, 2) },
 *   ],
 *   partitionKeys: PartitionKeys.time(TimePartitionDepth.DAY, 2024, 2035),
 *   bucket: lake.raw.bucket,
 *   prefix: 'events/',
 * });
 * new StreamIngestion(this, 'Ingestion', {
 *   existingBucket: lake.raw.bucket, prefix: 'events',
 *   formatConversion: { format: ColumnarFormat.PARQUET, databaseName: events.databaseName, tableName: events.tableName },
 * });
 */
export class DataLakeTable extends Construct implements IDataLakeTable {
  /** Table name. */
  public readonly tableName: string;
  /** Database name. */
  public readonly databaseName: string;
  /** The database. */
  public readonly database: IDataLakeDatabase;
  /** ARN of the table. */
  public readonly tableArn: string;
  /** File format. */
  public readonly format: TableFormat;
  /** Data columns, in file order. */
  public readonly columns: Column[];
  /** Partition keys, in S3 key order. */
  public readonly partitionKeys: PartitionKey[];
  /** Names of all columns: data columns, then partition keys. */
  public readonly columnNames: string[];
  /** Bucket of the data. */
  public readonly bucket: s3.IBucket;
  /** Key prefix of the data ('' or ending with "/"). */
  public readonly prefix: string;
  /** `s3://<bucket>/<prefix>` */
  public readonly location: string;
  /** Whether Athena partition projection is on. */
  public readonly partitionProjection: boolean;
  /** All table properties written to the catalog. */
  public readonly tableProperties: { [key: string]: string };
  /** The L1 table. */
  public readonly resource: glue.CfnTable;

  constructor(scope: Construct, id: string, props: DataLakeTableProps) {
    super(scope, id);
    const partitionKeys = props.partitionKeys ?? [];
    validateTable(this, props, partitionKeys);
    this.tableName = props.tableName;
    this.database = props.database;
    this.databaseName = props.database.databaseName;
    this.format = props.format;
    this.columns = props.columns;
    this.partitionKeys = partitionKeys;
    this.columnNames = [...props.columns.map((c) => c.name), ...partitionKeys.map((k) => k.name)];
    this.bucket = props.bucket;
    this.prefix = props.prefix;
    this.location = `s3://${props.bucket.bucketName}/${props.prefix}`;
    this.partitionProjection = partitionKeys.length > 0 && partitionKeys.every((k) => k.projection !== undefined);
    this.tableArn = Stack.of(this).formatArn({ service: 'glue', resource: 'table', resourceName: `${this.databaseName}/${this.tableName}` });
    const { properties, serdeParameters } = this.renderParameters(props);
    this.tableProperties = properties;
    this.resource = this.createTable(props, serdeParameters);
    CustomerManagedPolicies.apply(this);
  }

  /** Whether the table has a column (data column or partition key) with this name. */
  public hasColumn(name: string): boolean {
    return this.columnNames.includes(name);
  }

  /** Type of a column or partition key, if the table has it. */
  public columnType(name: string): ColumnType | undefined {
    const column = this.columns.find((c) => c.name === name);
    if (column) return column.type;
    const key = this.partitionKeys.find((k) => k.name === name);
    return key ? key.type ?? ColumnType.STRING : undefined;
  }

  /**
   * Grants reading the table definition and its partitions in the catalog, and
   * the objects under the table's prefix (plus decrypt on the bucket's key).
   */
  public grantRead(grantee: iam.IGrantable): iam.Grant {
    const catalog = this.grantReadMetadata(grantee);
    this.bucket.grantRead(grantee, `${this.prefix}*`);
    return catalog;
  }

  /**
   * Grants reading only the table definition and its partitions in the catalog (for
   * principals whose data access Lake Formation vends, which need no S3 permissions).
   */
  public grantReadMetadata(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: CATALOG_READ_ACTIONS,
      resourceArns: [this.database.catalogArn, this.database.databaseArn, this.tableArn],
    });
  }

  /** Table properties (format, classification, Avro schema, projection) and SerDe parameters. */
  private renderParameters(props: DataLakeTableProps): { properties: { [key: string]: string }; serdeParameters: { [key: string]: string } } {
    const serdeParameters: { [key: string]: string } = { ...props.format.serdeParameters };
    const properties: { [key: string]: string } = { ...props.tableProperties };
    Object.assign(properties, props.format.tableProperties, { classification: props.format.classification, EXTERNAL: 'TRUE' });
    if (props.format === TableFormat.AVRO) {
      const schema = JSON.stringify({
        type: 'record',
        name: this.tableName,
        fields: props.columns.map((c) => ({ name: c.name, type: ['null', c.type.avroType], default: null })),
      });
      serdeParameters['avro.schema.literal'] = schema;
      properties['avro.schema.literal'] = schema;
    }
    if (this.partitionProjection) {
      properties['projection.enabled'] = 'true';
      for (const key of this.partitionKeys) Object.assign(properties, key.projection!.tableProperties(key.name));
      properties['storage.location.template'] = props.storageLocationTemplate
        ?? `${this.location}${this.partitionKeys.map((k) => `${k.name}=\${${k.name}}/`).join('')}`;
    }
    return { properties, serdeParameters };
  }

  /** The L1 table (aws-cdk-lib's Glue table L2 is still experimental, in @aws-cdk/aws-glue-alpha). */
  private createTable(props: DataLakeTableProps, serdeParameters: { [key: string]: string }): glue.CfnTable {
    const table = new glue.CfnTable(this, 'Table', {
      catalogId: props.database.catalogId,
      databaseName: this.databaseName,
      tableInput: {
        name: this.tableName,
        description: props.description,
        tableType: 'EXTERNAL_TABLE',
        parameters: this.tableProperties,
        partitionKeys: this.partitionKeys.length > 0
          ? PartitionKeys.asColumns(this.partitionKeys).map((c) => ({ name: c.name, type: c.type.typeString, comment: c.comment }))
          : undefined,
        storageDescriptor: {
          location: this.location,
          inputFormat: props.format.inputFormat,
          outputFormat: props.format.outputFormat,
          compressed: props.format.compressed,
          serdeInfo: { serializationLibrary: props.format.serializationLibrary, parameters: serdeParameters },
          columns: props.columns.map((c) => ({ name: c.name, type: c.type.typeString, comment: c.comment })),
          storedAsSubDirectories: false,
        },
      },
    });
    // Catalog metadata is kept like data: a deleted table definition takes its schema with it.
    table.applyRemovalPolicy(Sandbox.removalPolicy(this));
    if (props.database instanceof DataLakeDatabase) table.node.addDependency(props.database.resource);
    return table;
  }
}
