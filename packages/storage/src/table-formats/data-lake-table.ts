import { Sandbox, Validate } from '@analytics-patterns/core';
import { Stack, Token } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { Column, ColumnType } from './column-type';
import { DataLakeDatabase, IDataLakeDatabase } from './data-lake-database';
import { DataLakeTableProps } from './data-lake-table-props';
import { PartitionKey, PartitionKeys, ProjectionType } from './partition-projection';
import { TableFormat } from './table-format';

const NAME = '^[a-z0-9_]{1,255}$';
const COLUMN = '^[a-z_][a-z0-9_]{0,254}$';
const PREFIX = '^([A-Za-z0-9!_.*\'()=-]+/)*$';

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
export class DataLakeTable extends Construct {
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
    this.validate(props, partitionKeys);

    const stack = Stack.of(this);
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
    this.tableArn = stack.formatArn({ service: 'glue', resource: 'table', resourceName: `${this.databaseName}/${this.tableName}` });

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
      for (const key of partitionKeys) Object.assign(properties, key.projection!.tableProperties(key.name));
      properties['storage.location.template'] = props.storageLocationTemplate
        ?? `${this.location}${partitionKeys.map((k) => `${k.name}=\${${k.name}}/`).join('')}`;
    }
    this.tableProperties = properties;

    this.resource = new glue.CfnTable(this, 'Table', {
      catalogId: props.database.catalogId,
      databaseName: this.databaseName,
      tableInput: {
        name: this.tableName,
        description: props.description,
        tableType: 'EXTERNAL_TABLE',
        parameters: properties,
        partitionKeys: partitionKeys.length > 0
          ? PartitionKeys.asColumns(partitionKeys).map((c) => ({ name: c.name, type: c.type.typeString, comment: c.comment }))
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
    this.resource.applyRemovalPolicy(Sandbox.removalPolicy(this));
    if (props.database instanceof DataLakeDatabase) this.resource.node.addDependency(props.database.resource);
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
      actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetTables', 'glue:GetPartition', 'glue:GetPartitions', 'glue:BatchGetPartition'],
      resourceArns: [this.database.catalogArn, this.database.databaseArn, this.tableArn],
    });
  }

  private validate(props: DataLakeTableProps, keys: PartitionKey[]): void {
    Validate.pattern(this, 'tableName', NAME, '1-255 lower-case letters, digits and "_"', props.tableName);
    Validate.pattern(this, 'prefix', PREFIX, 'empty, or S3 key segments each ending with "/", without a leading "/"', props.prefix);
    Validate.count(this, 'columns', 1, 10000, props.columns);
    props.columns.forEach((c, i) => Validate.pattern(this, `columns[${i}].name`, COLUMN,
      'lower-case letters, digits and "_", starting with a letter or "_", at most 255 characters', c.name));
    keys.forEach((k, i) => {
      Validate.pattern(this, `partitionKeys[${i}].name`, COLUMN,
        'lower-case letters, digits and "_", starting with a letter or "_", at most 255 characters', k.name);
      Validate.that(this, k.type === undefined || k.type.isPrimitive, {
        prop: `partitionKeys[${i}].type`, value: k.type?.typeString, allowed: 'a primitive type (partition values are path segments)',
      });
    });
    Validate.unique(this, 'columns[].name + partitionKeys[].name', [...props.columns.map((c) => c.name), ...keys.map((k) => k.name)]);

    const projected = keys.filter((k) => k.projection !== undefined);
    Validate.that(this, projected.length === 0 || projected.length === keys.length, {
      prop: 'partitionKeys[].projection',
      value: `${projected.length} of ${keys.length} keys projected (${keys.filter((k) => !k.projection).map((k) => k.name).join(', ')} without)`,
      allowed: 'a projection on every partition key or on none (Athena rejects partly projected tables)',
    });
    keys.forEach((k, i) => {
      const p = k.projection;
      if (!p) return;
      const prop = `partitionKeys[${i}].projection`;
      if (p.type === ProjectionType.ENUM) {
        const values = p.values ?? [];
        Validate.count(this, `${prop}.values`, 1, 10000, values);
        Validate.that(this, values.every((v) => v.length > 0 && !v.includes(',')), {
          prop: `${prop}.values`, value: values, allowed: 'non-empty values without commas (Athena splits the list on commas)',
        });
      } else if (p.type === ProjectionType.INTEGER) {
        const o = p.integerOptions!;
        Validate.that(this, Number.isInteger(o.min) && Number.isInteger(o.max) && o.min <= o.max, {
          prop: `${prop}.min/max`, value: `${o.min},${o.max}`, allowed: 'whole numbers with min <= max',
        });
        Validate.integer(this, `${prop}.interval`, 1, Number.MAX_SAFE_INTEGER, o.interval);
        Validate.integer(this, `${prop}.digits`, 1, 19, o.digits);
      } else if (p.type === ProjectionType.DATE) {
        const o = p.dateOptions!;
        Validate.that(this, o.format.trim().length > 0, { prop: `${prop}.format`, value: o.format, allowed: 'a Java DateTimeFormatter pattern such as yyyy/MM/dd' });
        Validate.that(this, o.rangeStart.trim().length > 0 && !o.rangeStart.includes(','), {
          prop: `${prop}.rangeStart`, value: o.rangeStart, allowed: 'a date in the format, or NOW[+-]<n><UNIT>, without commas',
        });
        Validate.integer(this, `${prop}.interval`, 1, Number.MAX_SAFE_INTEGER, o.interval);
      }
    });
    if (props.storageLocationTemplate !== undefined) {
      Validate.that(this, projected.length > 0, {
        prop: 'storageLocationTemplate', value: props.storageLocationTemplate, allowed: 'only with projected partition keys',
      });
      const missing = keys.filter((k) => !props.storageLocationTemplate!.includes(`\${${k.name}}`)).map((k) => k.name);
      Validate.that(this, missing.length === 0, {
        prop: 'storageLocationTemplate',
        value: props.storageLocationTemplate,
        allowed: `a template with a placeholder for every partition key (missing: ${missing.map((m) => `\${${m}}`).join(', ')})`,
      });
      Validate.that(this, Token.isUnresolved(props.storageLocationTemplate) || props.storageLocationTemplate.startsWith('s3://'), {
        prop: 'storageLocationTemplate', value: props.storageLocationTemplate, allowed: 'an s3:// URI',
      });
    }
    const reserved = ['classification', 'EXTERNAL', 'projection.enabled', 'storage.location.template', 'avro.schema.literal',
      ...Object.keys(props.format.tableProperties)];
    for (const key of Object.keys(props.tableProperties ?? {})) {
      Validate.that(this, !reserved.includes(key) && !key.startsWith('projection.'), {
        prop: `tableProperties.${key}`, value: props.tableProperties![key], allowed: `a property other than ${reserved.join(', ')} and projection.*`,
      });
    }
  }
}
