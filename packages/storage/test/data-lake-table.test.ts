import {
  AccessModel, cfnValidationFindings, expectNagClean, expectParameterUsed, expectPropError, numberParameter, Principals,
  stringParameter, testStack,
} from '@analytics-patterns/testing';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  ColumnType, DataLakeDatabase, DataLakeStorage, DataLakeTable, DataLakeZoneName, DataLakeTableProps, DateIntervalUnit,
  PartitionKeys, PartitionProjection, SecureBucket,
  TableFormat, TimePartitionDepth, WorkloadSizedTable,
} from '../src';

const ACCOUNT = '123456789012';

const COLUMNS = [
  { name: 'event_id', type: ColumnType.STRING, comment: 'unique id' },
  { name: 'amount', type: ColumnType.decimal(10, 2) },
  { name: 'ts', type: ColumnType.TIMESTAMP },
  { name: 'tags', type: ColumnType.array(ColumnType.STRING) },
];

function table(stack: Stack, overrides: Partial<DataLakeTableProps> = {}): DataLakeTable {
  const database = new DataLakeDatabase(stack, 'Db', { databaseName: 'clickstream' });
  const bucket = s3.Bucket.fromBucketName(stack, 'Raw', 'raw-zone');
  return new DataLakeTable(stack, 'Events', {
    database, tableName: 'events', format: TableFormat.PARQUET, columns: COLUMNS, bucket, prefix: 'events/', ...overrides,
  });
}

function storage(stack: Stack): any {
  return Template.fromStack(stack).findResources('AWS::Glue::Table');
}

describe('DataLakeTable', () => {
  test.each([
    ['PARQUET', TableFormat.PARQUET, 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
      'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat', 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat', 'parquet'],
    ['ORC', TableFormat.ORC, 'org.apache.hadoop.hive.ql.io.orc.OrcSerde',
      'org.apache.hadoop.hive.ql.io.orc.OrcInputFormat', 'org.apache.hadoop.hive.ql.io.orc.OrcOutputFormat', 'orc'],
    ['AVRO', TableFormat.AVRO, 'org.apache.hadoop.hive.serde2.avro.AvroSerDe',
      'org.apache.hadoop.hive.ql.io.avro.AvroContainerInputFormat', 'org.apache.hadoop.hive.ql.io.avro.AvroContainerOutputFormat', 'avro'],
    ['CSV', TableFormat.CSV, 'org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe',
      'org.apache.hadoop.mapred.TextInputFormat', 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat', 'csv'],
    ['JSON', TableFormat.JSON, 'org.openx.data.jsonserde.JsonSerDe',
      'org.apache.hadoop.mapred.TextInputFormat', 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat', 'json'],
  ])('%s: SerDe, input/output formats, classification, typed columns', (_name, format, serde, input, output, classification) => {
    const stack = testStack();
    table(stack, { format });
    Template.fromStack(stack).hasResourceProperties('AWS::Glue::Table', {
      CatalogId: '123456789012',
      DatabaseName: 'clickstream',
      TableInput: {
        Name: 'events',
        TableType: 'EXTERNAL_TABLE',
        Parameters: Match.objectLike({ classification, EXTERNAL: 'TRUE' }),
        StorageDescriptor: {
          Location: 's3://raw-zone/events/',
          InputFormat: input,
          OutputFormat: output,
          SerdeInfo: Match.objectLike({ SerializationLibrary: serde }),
          Columns: [
            { Name: 'event_id', Type: 'string', Comment: 'unique id' },
            { Name: 'amount', Type: 'decimal(10,2)' },
            { Name: 'ts', Type: 'timestamp' },
            { Name: 'tags', Type: 'array<string>' },
          ],
        },
      },
    });
  });

  test('format specifics: Parquet Snappy, CSV delimiter and header, Avro schema literal from the columns', () => {
    let stack = testStack();
    table(stack);
    expect(Object.values(storage(stack))[0]).toMatchObject({ Properties: { TableInput: { Parameters: { 'parquet.compression': 'SNAPPY' } } } });

    stack = testStack();
    table(stack, { format: TableFormat.csv({ delimiter: '|', skipHeaderLines: 2 }) });
    const csv = (Object.values(storage(stack))[0] as any).Properties.TableInput;
    expect(csv.Parameters['skip.header.line.count']).toBe('2');
    expect(csv.StorageDescriptor.SerdeInfo.Parameters).toEqual({ 'field.delim': '|', 'serialization.format': '|' });

    stack = testStack();
    table(stack, { format: TableFormat.AVRO });
    const avro = (Object.values(storage(stack))[0] as any).Properties.TableInput;
    const schema = JSON.parse(avro.Parameters['avro.schema.literal']);
    expect(avro.StorageDescriptor.SerdeInfo.Parameters['avro.schema.literal']).toBe(avro.Parameters['avro.schema.literal']);
    expect(schema).toEqual({
      type: 'record',
      name: 'events',
      fields: [
        { name: 'event_id', type: ['null', 'string'], default: null },
        { name: 'amount', type: ['null', { type: 'bytes', logicalType: 'decimal', precision: 10, scale: 2 }], default: null },
        { name: 'ts', type: ['null', { type: 'long', logicalType: 'timestamp-millis' }], default: null },
        { name: 'tags', type: ['null', { type: 'array', items: ['null', 'string'] }], default: null },
      ],
    });
  });

  test('partition projection: integer time keys, enum and date, and the Hive-style location template', () => {
    const stack = testStack();
    const t = table(stack, {
      partitionKeys: [
        { name: 'region', projection: PartitionProjection.enumValues(['eu', 'us']) },
        ...PartitionKeys.time(TimePartitionDepth.DAY, 2024, 2035),
      ],
    });
    const input = (Object.values(storage(stack))[0] as any).Properties.TableInput;
    expect(input.PartitionKeys).toEqual([
      { Name: 'region', Type: 'string' }, { Name: 'year', Type: 'string' }, { Name: 'month', Type: 'string' }, { Name: 'day', Type: 'string' },
    ]);
    expect(input.Parameters).toMatchObject({
      'projection.enabled': 'true',
      'projection.region.type': 'enum',
      'projection.region.values': 'eu,us',
      'projection.year.type': 'integer',
      'projection.year.range': '2024,2035',
      'projection.month.type': 'integer',
      'projection.month.range': '1,12',
      'projection.month.digits': '2',
      'projection.day.range': '1,31',
      'storage.location.template': 's3://raw-zone/events/region=${region}/year=${year}/month=${month}/day=${day}/',
    });
    expect(t.partitionProjection).toBe(true);
    expect(t.columnNames).toEqual(['event_id', 'amount', 'ts', 'tags', 'region', 'year', 'month', 'day']);
    expect(t.hasColumn('region')).toBe(true);
    expect(t.hasColumn('pii')).toBe(false);
    expect(t.columnType('amount')!.typeString).toBe('decimal(10,2)');
    expect(t.columnType('year')!.typeString).toBe('string');
  });

  test('date projection and a custom location template', () => {
    const stack = testStack();
    table(stack, {
      partitionKeys: [{ name: 'dt', projection: PartitionProjection.date({ rangeStart: 'NOW-2YEARS', format: 'yyyy/MM/dd/HH', intervalUnit: DateIntervalUnit.HOURS }) }],
      storageLocationTemplate: 's3://raw-zone/events/${dt}/',
    });
    const input = (Object.values(storage(stack))[0] as any).Properties.TableInput;
    expect(input.Parameters).toMatchObject({
      'projection.dt.type': 'date',
      'projection.dt.range': 'NOW-2YEARS,NOW',
      'projection.dt.format': 'yyyy/MM/dd/HH',
      'projection.dt.interval': '1',
      'projection.dt.interval.unit': 'HOURS',
      'storage.location.template': 's3://raw-zone/events/${dt}/',
    });
  });

  test('without projections: partitions but no projection properties', () => {
    const stack = testStack();
    const t = table(stack, { partitionKeys: [{ name: 'year' }, { name: 'month' }] });
    const input = (Object.values(storage(stack))[0] as any).Properties.TableInput;
    expect(input.PartitionKeys).toHaveLength(2);
    expect(Object.keys(input.Parameters).filter((k) => k.startsWith('projection.') || k === 'storage.location.template')).toEqual([]);
    expect(t.partitionProjection).toBe(false);
  });

  test('the table depends on a new database; an existing database by name', () => {
    const stack = testStack();
    const t = table(stack);
    expect(Object.values(storage(stack))[0]).toMatchObject({ DependsOn: [stack.getLogicalId(t.database.node.findChild('Database') as any)] });
    const existing = DataLakeDatabase.fromDatabaseName(stack, 'Existing', 'sales');
    const other = new DataLakeTable(stack, 'Orders', {
      database: existing, tableName: 'orders', format: TableFormat.ORC, columns: COLUMNS, bucket: s3.Bucket.fromBucketName(stack, 'B', 'bbb'), prefix: '',
    });
    expect(stack.resolve(other.tableArn)).toBe('arn:aws:glue:eu-west-1:123456789012:table/sales/orders');
    expect(other.location).toBe('s3://bbb/');
  });

  test('grantRead: catalog actions on catalog, database and table ARNs, objects under the prefix', () => {
    const stack = testStack();
    const t = table(stack);
    const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    t.grantRead(role);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Effect: 'Allow',
            Action: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetTables', 'glue:GetPartition', 'glue:GetPartitions', 'glue:BatchGetPartition'],
            Resource: [
              'arn:aws:glue:eu-west-1:123456789012:catalog',
              'arn:aws:glue:eu-west-1:123456789012:database/clickstream',
              'arn:aws:glue:eu-west-1:123456789012:table/clickstream/events',
            ],
          },
          Match.objectLike({ Resource: ['arn:aws:s3:::raw-zone', 'arn:aws:s3:::raw-zone/events/*'] }),
        ]),
      },
    });
  });

  test('cdk-nag clean in all four packs (imported bucket), with no acknowledgement', () => {
    const stack = testStack();
    table(stack, { partitionKeys: PartitionKeys.time(TimePartitionDepth.HOUR, 2024, 2030) });
    expect(expectNagClean(stack).acknowledged).toEqual([]);
  });

  test('the database and the table keep their logical ids (a new id would replace the catalog entries)', () => {
    const stack = testStack();
    const t = table(stack);
    expect(stack.getLogicalId(t.resource)).toBe('EventsTableB71175DB');
    expect(stack.getLogicalId((t.database as DataLakeDatabase).resource)).toBe('DbDatabaseA82B7836');
  });

  test('column type factories reject bad parameters', () => {
    expect(() => ColumnType.decimal(39, 2)).toThrow('invalid decimal(39,2). Allowed: precision 1-38, scale 0-precision.');
    expect(() => ColumnType.varchar(0)).toThrow('Allowed: length 1-65535');
    expect(() => ColumnType.map(ColumnType.array(ColumnType.INT), ColumnType.INT)).toThrow('Allowed: a primitive type');
    expect(() => TableFormat.csv({ delimiter: '||' })).toThrow('Allowed: exactly one character');
    expect(ColumnType.struct([{ name: 'a', type: ColumnType.INT }, { name: 'b', type: ColumnType.map(ColumnType.STRING, ColumnType.DOUBLE) }]).typeString)
      .toBe('struct<a:int,b:map<string,double>>');
  });

  describe('validation', () => {
    const path = 'TestStack/Events';
    test('table name', () => {
      expectPropError(() => table(testStack(), { tableName: 'Events' }), { path, prop: 'tableName', value: '"Events"', allowed: 'lower-case' });
    });
    test('prefix', () => {
      expectPropError(() => table(testStack(), { prefix: 'events' }), { path, prop: 'prefix', value: '"events"', allowed: 'ending with "/"' });
    });
    test('no columns', () => {
      expectPropError(() => table(testStack(), { columns: [] }), { path, prop: 'columns', allowed: '1-10000 entries' });
    });
    test('column name', () => {
      expectPropError(() => table(testStack(), { columns: [{ name: 'Event-Id', type: ColumnType.STRING }] }), {
        path, prop: 'columns[0].name', value: '"Event-Id"', allowed: 'lower-case letters',
      });
    });
    test('partition key clashing with a column', () => {
      expectPropError(() => table(testStack(), { partitionKeys: [{ name: 'amount' }] }), {
        path, prop: 'columns[].name + partitionKeys[].name', allowed: '"amount" appears more than once',
      });
    });
    test('complex partition key type', () => {
      expectPropError(() => table(testStack(), { partitionKeys: [{ name: 'p', type: ColumnType.array(ColumnType.INT) }] }), {
        path, prop: 'partitionKeys[0].type', value: '"array<int>"', allowed: 'a primitive type',
      });
    });
    test('partly projected partitions', () => {
      expectPropError(() => table(testStack(), { partitionKeys: [{ name: 'year', projection: PartitionProjection.integer({ min: 2020, max: 2030 }) }, { name: 'device' }] }), {
        path, prop: 'partitionKeys[].projection', value: '1 of 2 keys projected (device without)', allowed: 'on every partition key or on none',
      });
    });
    test('empty enum projection', () => {
      expectPropError(() => table(testStack(), { partitionKeys: [{ name: 'region', projection: PartitionProjection.enumValues([]) }] }), {
        path, prop: 'partitionKeys[0].projection.values', allowed: '1-10000 entries',
      });
    });
    test('enum value with a comma', () => {
      expectPropError(() => table(testStack(), { partitionKeys: [{ name: 'region', projection: PartitionProjection.enumValues(['eu,us']) }] }), {
        path, prop: 'partitionKeys[0].projection.values', allowed: 'without commas',
      });
    });
    test('integer range reversed', () => {
      expectPropError(() => table(testStack(), { partitionKeys: [{ name: 'year', projection: PartitionProjection.integer({ min: 2030, max: 2020 }) }] }), {
        path, prop: 'partitionKeys[0].projection.min/max', value: '"2030,2020"', allowed: 'min <= max',
      });
    });
    test('integer digits', () => {
      expectPropError(() => table(testStack(), { partitionKeys: [{ name: 'm', projection: PartitionProjection.integer({ min: 1, max: 12, digits: 0 }) }] }), {
        path, prop: 'partitionKeys[0].projection.digits', value: '0', allowed: '1-19',
      });
    });
    test('date format', () => {
      expectPropError(() => table(testStack(), { partitionKeys: [{ name: 'dt', projection: PartitionProjection.date({ rangeStart: '2024/01/01', format: ' ' }) }] }), {
        path, prop: 'partitionKeys[0].projection.format', allowed: 'DateTimeFormatter',
      });
    });
    test('template without a placeholder for a key', () => {
      expectPropError(() => table(testStack(), {
        partitionKeys: PartitionKeys.time(TimePartitionDepth.MONTH, 2024, 2030),
        storageLocationTemplate: 's3://raw-zone/events/${year}/',
      }), { path, prop: 'storageLocationTemplate', allowed: 'missing: ${month}' });
    });
    test('template without projection', () => {
      expectPropError(() => table(testStack(), { storageLocationTemplate: 's3://raw-zone/events/' }), {
        path, prop: 'storageLocationTemplate', allowed: 'only with projected partition keys',
      });
    });
    test('reserved table property', () => {
      expectPropError(() => table(testStack(), { tableProperties: { 'projection.enabled': 'false' } }), {
        path, prop: 'tableProperties.projection.enabled', value: '"false"', allowed: 'a property other than',
      });
    });
    test('database name', () => {
      expectPropError(() => new DataLakeDatabase(testStack(), 'Db', { databaseName: 'Click-Stream' }), {
        path: 'TestStack/Db', prop: 'databaseName', value: '"Click-Stream"', allowed: 'lower-case',
      });
    });
  });
});

describe('CloudFormation schema validation (aws-cdk-lib built-in validator)', () => {
  test('data lake storage (replication, EventBridge, access point), tables in all five formats and a workload-sized table pass', () => {
    const stack = testStack({ cfnValidation: true });
    const consumer = new iam.Role(stack, 'Consumer', { assumedBy: new iam.AccountRootPrincipal() });
    const copy = new SecureBucket(stack, 'Copy');
    const lake = new DataLakeStorage(stack, 'Lake', {
      accessPoints: [{ name: 'team-a', zone: DataLakeZoneName.CURATED, prefix: 'a/', consumer }],
      curated: { eventBridgeEnabled: true, replication: { destinationBucket: copy.bucket, replicationTimeControl: true } },
    });
    new WorkloadSizedTable(stack, 'Devices', {
      partitionKey: { name: 'device_id', type: dynamodb.AttributeType.STRING },
      workload: { reads: { itemSizeKb: 1, readsPerSecond: 10 }, writes: { itemSizeKb: 1, writesPerSecond: 10 } },
      backupPlan: backup.BackupPlan.daily35DayRetention(stack, 'Plan'),
    }).grantReadWriteData(consumer);
    const database = new DataLakeDatabase(stack, 'Db', { databaseName: 'lake' });
    const formats: Array<[string, TableFormat]> = [['parquet', TableFormat.PARQUET], ['orc', TableFormat.ORC], ['avro', TableFormat.AVRO], ['csv', TableFormat.CSV], ['json', TableFormat.JSON]];
    for (const [name, format] of formats) {
      new DataLakeTable(stack, `T-${name}`, {
        database,
        tableName: name,
        format,
        columns: COLUMNS,
        bucket: lake.raw.bucket,
        prefix: `${name}/`,
        partitionKeys: PartitionKeys.time(TimePartitionDepth.DAY, 2024, 2035),
      });
    }
    expect(cfnValidationFindings(stack)).toEqual([]);
  });
});

describe('DataLakeTable grants at run time', () => {
  const stack = testStack();
  const lake = new DataLakeStorage(stack, 'Lake');
  const database = new DataLakeDatabase(stack, 'Db', { databaseName: 'clickstream' });
  const events = new DataLakeTable(stack, 'Events', {
    database,
    tableName: 'events',
    format: TableFormat.PARQUET,
    columns: COLUMNS,
    bucket: lake.raw.bucket,
    prefix: 'events/',
    partitionKeys: PartitionKeys.time(TimePartitionDepth.DAY, 2024, 2035),
  });
  const analyst = new iam.Role(stack, 'Analyst', { assumedBy: new iam.ServicePrincipal('glue.amazonaws.com') });
  const lakeFormationUser = new iam.Role(stack, 'LfUser', { assumedBy: new iam.ServicePrincipal('glue.amazonaws.com') });
  events.grantRead(analyst);
  events.grantReadMetadata(lakeFormationUser);
  const catalog = `arn:aws:glue:eu-west-1:${ACCOUNT}:catalog`;
  const db = `arn:aws:glue:eu-west-1:${ACCOUNT}:database/clickstream`;
  const tbl = `arn:aws:glue:eu-west-1:${ACCOUNT}:table/clickstream/events`;
  const otherTable = `arn:aws:glue:eu-west-1:${ACCOUNT}:table/clickstream/payments`;
  const object = lake.raw.bucket.arnForObjects('events/year=2026/month=01/day=01/part-0.parquet');
  const viaS3 = { 'kms:ViaService': 's3.eu-west-1.amazonaws.com', 'kms:EncryptionContext:aws:s3:arn': lake.raw.bucket.bucketArn };

  test('grantRead: the catalog (catalog, database, table ARNs), the objects under the prefix and the key through S3', async () => {
    const access = AccessModel.of(stack);
    await access.expectAllowed(
      ...['glue:GetDatabase', 'glue:GetTables'].flatMap((action) => [catalog, db].map((resource) => ({ principal: analyst.roleArn, action, resource }))),
      ...['glue:GetTable', 'glue:GetPartitions', 'glue:BatchGetPartition'].map((action) => ({ principal: analyst.roleArn, action, resource: tbl })),
      { principal: analyst.roleArn, action: 's3:GetObject', resource: object },
      { principal: analyst.roleArn, action: 's3:ListBucket', resource: lake.raw.bucket.bucketArn },
      { principal: analyst.roleArn, action: 'kms:Decrypt', resource: lake.encryptionKey.keyArn, context: viaS3 },
    );
    await access.expectDenied(
      { principal: analyst.roleArn, action: 'glue:GetTable', resource: otherTable },
      { principal: analyst.roleArn, action: 'glue:UpdateTable', resource: tbl },
      { principal: analyst.roleArn, action: 'glue:GetDatabase', resource: `arn:aws:glue:eu-west-1:${ACCOUNT}:database/finance` },
      { principal: analyst.roleArn, action: 's3:GetObject', resource: lake.raw.bucket.arnForObjects('payments/part-0.parquet') },
      { principal: analyst.roleArn, action: 's3:PutObject', resource: object },
      { principal: Principals.strangerInAccount(), action: 'glue:GetTable', resource: tbl },
      { principal: Principals.strangerInAccount(), action: 's3:GetObject', resource: object },
      { ...Principals.otherAccountAdmin(), action: 's3:GetObject', resource: object },
      { ...Principals.otherAccountAdmin(), action: 'kms:Decrypt', resource: lake.encryptionKey.keyArn, context: viaS3 },
      { principal: Principals.anonymous, action: 's3:GetObject', resource: object },
    );
    await access.expectExplicitlyDenied({ principal: analyst.roleArn, action: 's3:GetObject', resource: object, context: { 'aws:SecureTransport': 'false' } });
  });

  test('grantReadMetadata: the catalog only (Lake Formation vends the data), no S3 and no key', async () => {
    const access = AccessModel.of(stack);
    await access.expectAllowed(
      { principal: lakeFormationUser.roleArn, action: 'glue:GetTable', resource: tbl },
      { principal: lakeFormationUser.roleArn, action: 'glue:GetPartitions', resource: tbl },
      { principal: lakeFormationUser.roleArn, action: 'glue:GetDatabase', resource: catalog },
    );
    await access.expectDenied(
      { principal: lakeFormationUser.roleArn, action: 's3:GetObject', resource: object },
      { principal: lakeFormationUser.roleArn, action: 'kms:Decrypt', resource: lake.encryptionKey.keyArn, context: viaS3 },
      { principal: lakeFormationUser.roleArn, action: 'glue:GetTable', resource: otherTable },
    );
  });
});

describe('DataLakeTable tokens', () => {
  test('table and database names, description, prefix, bucket, projection ranges, enum values and the template reach the template', () => {
    const stack = testStack();
    const database = new DataLakeDatabase(stack, 'Db', { databaseName: stringParameter(stack, 'Database'), description: stringParameter(stack, 'DbDescription') });
    new DataLakeTable(stack, 'Events', {
      database,
      tableName: stringParameter(stack, 'Table'),
      description: stringParameter(stack, 'Description'),
      format: TableFormat.PARQUET,
      columns: COLUMNS,
      bucket: s3.Bucket.fromBucketName(stack, 'B', stringParameter(stack, 'Bucket')),
      prefix: stringParameter(stack, 'Prefix'),
      partitionKeys: [
        { name: 'region', projection: PartitionProjection.enumValues([stringParameter(stack, 'Region')]) },
        { name: 'year', projection: PartitionProjection.integer({ min: numberParameter(stack, 'FirstYear'), max: numberParameter(stack, 'LastYear'), digits: numberParameter(stack, 'Digits') }) },
        { name: 'dt', projection: PartitionProjection.date({ rangeStart: stringParameter(stack, 'Start'), format: 'yyyy-MM-dd', interval: numberParameter(stack, 'Interval') }) },
      ],
      storageLocationTemplate: stringParameter(stack, 'Template'),
    });
    const t = Template.fromStack(stack);
    expectParameterUsed(t, 'Database', /DatabaseInput\.Name/);
    expectParameterUsed(t, 'DbDescription', /DatabaseInput\.Description/);
    expectParameterUsed(t, 'Table', /TableInput\.Name/);
    expectParameterUsed(t, 'Description', /TableInput\.Description/);
    expectParameterUsed(t, 'Bucket', /StorageDescriptor\.Location/);
    expectParameterUsed(t, 'Prefix', /StorageDescriptor\.Location/);
    expectParameterUsed(t, 'Region', /projection\.region\.values/);
    expectParameterUsed(t, 'FirstYear', /projection\.year\.range/);
    expectParameterUsed(t, 'LastYear', /projection\.year\.range/);
    expectParameterUsed(t, 'Digits', /projection\.year\.digits/);
    expectParameterUsed(t, 'Start', /projection\.dt\.range/);
    expectParameterUsed(t, 'Interval', /projection\.dt\.interval/);
    expectParameterUsed(t, 'Template', /storage\.location\.template/);
    // the numbers stay references: never their encoded doubles
    expect(JSON.stringify(t.toJSON())).not.toMatch(/e\+\d{3}/);
  });

  test('column types are built at synth: a token precision fails with a clear message', () => {
    const stack = testStack();
    expect(() => ColumnType.decimal(numberParameter(stack, 'P'), 2)).toThrow('invalid decimal: a token. Allowed: numbers known at synth');
  });
});

describe('DataLakeTable limits (both sides)', () => {
  const path = 'TestStack/Events';
  const ok = (overrides: Partial<DataLakeTableProps>) => expect(() => table(testStack(), overrides)).not.toThrow();

  test('names: table and column names of 255 characters pass, 256 fail', () => {
    ok({ tableName: 't'.repeat(255), columns: [{ name: 'c'.repeat(255), type: ColumnType.STRING }] });
    expectPropError(() => table(testStack(), { tableName: 't'.repeat(256) }), { path, prop: 'tableName', allowed: '1-255 characters' });
    expectPropError(() => table(testStack(), { columns: [{ name: 'c'.repeat(256), type: ColumnType.STRING }] }), { path, prop: 'columns[0].name', allowed: '1-255 characters' });
    expectPropError(() => new DataLakeDatabase(testStack(), 'Db', { databaseName: 'd'.repeat(256) }), { path: 'TestStack/Db', prop: 'databaseName', allowed: '1-255 characters' });
    expect(() => new DataLakeDatabase(testStack(), 'Db', { databaseName: 'd'.repeat(255) })).not.toThrow();
    expectPropError(() => DataLakeDatabase.fromDatabaseName(testStack(), 'Existing', 'Sales-DB'), { path: 'TestStack/Existing', prop: 'databaseName', value: '"Sales-DB"' });
  });

  test('descriptions and comments: 2,048 and 255 characters', () => {
    ok({ description: 'd'.repeat(2048), columns: [{ name: 'a', type: ColumnType.STRING, comment: 'c'.repeat(255) }] });
    expectPropError(() => table(testStack(), { description: 'd'.repeat(2049) }), { path, prop: 'description.length', value: '2049 characters', allowed: '0-2048 characters' });
    expectPropError(() => table(testStack(), { columns: [{ name: 'a', type: ColumnType.STRING, comment: 'c'.repeat(256) }] }), {
      path, prop: 'columns[0].comment.length', value: '256 characters', allowed: '0-255 characters',
    });
  });

  test('projection: digits 1-19, interval 1 or more, whole-number bounds, date range without commas', () => {
    const year = (o: any) => ({ partitionKeys: [{ name: 'year', projection: PartitionProjection.integer({ min: 1, max: 9, ...o }) }] });
    ok(year({ digits: 19, interval: 1 }));
    expectPropError(() => table(testStack(), year({ digits: 20 })), { path, prop: 'partitionKeys[0].projection.digits', value: '20', allowed: '1-19' });
    expectPropError(() => table(testStack(), year({ interval: 0 })), { path, prop: 'partitionKeys[0].projection.interval', value: '0', allowed: '1-9007199254740991' });
    expectPropError(() => table(testStack(), year({ min: 1.5 })), { path, prop: 'partitionKeys[0].projection.min', value: '1.5', allowed: 'a whole number' });
    const dt = (o: any) => ({ partitionKeys: [{ name: 'dt', projection: PartitionProjection.date({ rangeStart: 'NOW-1YEARS', format: 'yyyy-MM-dd', ...o }) }] });
    ok(dt({ rangeEnd: 'NOW+1DAYS', interval: 1 }));
    expectPropError(() => table(testStack(), dt({ rangeEnd: '2026-01-01,2027-01-01' })), { path, prop: 'partitionKeys[0].projection.rangeEnd', allowed: 'without commas' });
    expectPropError(() => table(testStack(), dt({ interval: 0 })), { path, prop: 'partitionKeys[0].projection.interval', value: '0', allowed: '1-' });
  });

  test('table properties: keys of 255 characters pass, 256 fail', () => {
    ok({ tableProperties: { ['k'.repeat(255)]: 'v' } });
    expectPropError(() => table(testStack(), { tableProperties: { ['k'.repeat(256)]: 'v' } }), { path, prop: `tableProperties.${'k'.repeat(256)} (key length)`, allowed: '1-255 characters' });
  });

  test('prefix: at most 1,024 bytes', () => {
    ok({ prefix: `${'p'.repeat(1023)}/` });
    expectPropError(() => table(testStack(), { prefix: `${'p'.repeat(1024)}/` }), { path, prop: 'prefix (UTF-8 bytes)', value: '1025 bytes', allowed: '0-1024 bytes' });
  });
});
