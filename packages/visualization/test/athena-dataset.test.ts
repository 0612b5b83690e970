import { SecureBucket } from '@analytics-patterns/storage';
import {
  AccessModel, expectNagClean, expectParameterUsed, expectPropError, OTHER_ACCOUNT, Principals, stringParameter, testStack,
} from '@analytics-patterns/testing';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AthenaDataset, AthenaDatasetProps, DatasetColumnType, DatasetImportMode } from '../src';

const ACCOUNT = '123456789012';

const AUTHOR = 'arn:aws:quicksight:eu-west-1:123456789012:group/default/bi-authors';
const READER = 'arn:aws:quicksight:eu-west-1:123456789012:group/default/sales-readers';
const COLUMNS = [
  { name: 'order_id', type: DatasetColumnType.STRING },
  { name: 'amount', type: DatasetColumnType.DECIMAL },
  { name: 'email', type: DatasetColumnType.STRING },
];

function build(props: Partial<AthenaDatasetProps> = {}) {
  const stack = testStack();
  const data = new SecureBucket(stack, 'Curated');
  const results = new SecureBucket(stack, 'Results');
  const ds = new AthenaDataset(stack, 'Sales', {
    name: 'Sales',
    workGroupName: 'analysts',
    resultsBucket: results.bucket,
    resultsPrefix: 'athena/',
    table: { databaseName: 'curated', tableName: 'orders', columns: COLUMNS, dataBucket: data.bucket, dataPrefix: 'orders/' },
    ownerArns: [AUTHOR],
    readerArns: [READER],
    restrictedColumns: [{ columnNames: ['email'], allowedPrincipalArns: [AUTHOR] }],
    ...props,
  });
  return { stack, ds, data, results, template: Template.fromStack(stack) };
}

describe('AthenaDataset', () => {
  test('Athena data source over TLS with its own role, SPICE dataset, owners and readers, column-level security, daily refresh', () => {
    const { template } = build();
    template.hasResourceProperties('AWS::QuickSight::DataSource', {
      Type: 'ATHENA',
      AwsAccountId: '123456789012',
      SslProperties: { DisableSsl: false },
      DataSourceParameters: { AthenaParameters: { WorkGroup: 'analysts', RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SalesRole'), 'Arn'] } } },
    });
    const dataSet = Object.values(template.findResources('AWS::QuickSight::DataSet'))[0].Properties;
    expect(dataSet.ImportMode).toBe('SPICE');
    expect(dataSet.PhysicalTableMap.table.RelationalTable).toMatchObject({
      Catalog: 'AwsDataCatalog',
      Schema: 'curated',
      Name: 'orders',
      InputColumns: [{ Name: 'order_id', Type: 'STRING' }, { Name: 'amount', Type: 'DECIMAL' }, { Name: 'email', Type: 'STRING' }],
    });
    expect(dataSet.Permissions.map((p: any) => [p.Principal, p.Actions.includes('quicksight:UpdateDataSet')])).toEqual([[AUTHOR, true], [READER, false]]);
    expect(dataSet.ColumnLevelPermissionRules).toEqual([{ ColumnNames: ['email'], Principals: [AUTHOR] }]);
    template.hasResourceProperties('AWS::QuickSight::RefreshSchedule', {
      Schedule: { ScheduleId: 'daily', RefreshType: 'FULL_REFRESH', ScheduleFrequency: { Interval: 'DAILY', TimeOfTheDay: '06:00', TimeZone: 'UTC' } },
    });
  });

  test('role: the workgroup, the Glue table, the data and results prefixes and their keys only', () => {
    const { template } = build();
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
    const bySid = Object.fromEntries(statements.map((s: any) => [s.Sid, s]));
    expect(Object.keys(bySid).sort()).toEqual(['DecryptData', 'EncryptResults', 'ListData', 'ListResults', 'QueryInWorkgroup', 'ReadData', 'ReadTableMetadata', 'WriteResults']);
    expect(bySid.QueryInWorkgroup.Resource).toBe('arn:aws:athena:eu-west-1:123456789012:workgroup/analysts');
    expect(bySid.ReadTableMetadata.Resource).toEqual([
      'arn:aws:glue:eu-west-1:123456789012:catalog', 'arn:aws:glue:eu-west-1:123456789012:database/curated', 'arn:aws:glue:eu-west-1:123456789012:table/curated/orders',
    ]);
    expect(JSON.stringify(bySid.ReadData.Resource)).toContain('/orders/*');
    expect(JSON.stringify(bySid.WriteResults.Resource)).toContain('/athena/*');
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [{ Principal: { Service: 'quicksight.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } } }] },
    });
  });

  test('direct query: no refresh schedule; Lake Formation adds GetDataAccess', () => {
    const { template } = build({ importMode: DatasetImportMode.DIRECT_QUERY, lakeFormationGoverned: true });
    template.resourceCountIs('AWS::QuickSight::RefreshSchedule', 0);
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(statements.find((s: any) => s.Sid === 'LakeFormationCredentials')).toMatchObject({ Action: 'lakeformation:GetDataAccess', Resource: '*' });
  });

  test('validation', () => {
    const path = 'TestStack/Sales';
    expectPropError(() => build({ ownerArns: ['arn:aws:iam::123456789012:role/x'] }), { path, prop: 'ownerArns/readerArns', value: '"arn:aws:iam::123456789012:role/x"', allowed: 'a QuickSight user or group ARN' });
    expectPropError(() => build({ restrictedColumns: [{ columnNames: ['phone'], allowedPrincipalArns: [AUTHOR] }] }), {
      path, prop: 'restrictedColumns[0].columnNames', value: '"phone"', allowed: 'a column of the dataset (order_id, amount, email)',
    });
    expectPropError(() => build({ importMode: DatasetImportMode.DIRECT_QUERY, refresh: {} }), { path, prop: 'refresh', value: '"given"', allowed: 'only with SPICE' });
    expectPropError(() => build({ refresh: { timeOfDay: '25:00' } }), { path, prop: 'refresh.timeOfDay', value: '"25:00"', allowed: 'HH:MM (24 h)' });
    expectPropError(() => build({ ownerArns: [] }), { path, prop: 'ownerArns', value: '[]', allowed: '1-64 entries' });
  });

  test('cdk-nag clean in the four packs', () => {
    const stack = testStack();
    const data = new SecureBucket(stack, 'Curated');
    const results = new SecureBucket(stack, 'Results');
    new AthenaDataset(stack, 'Sales', {
      name: 'Sales',
      workGroupName: 'analysts',
      resultsBucket: results.bucket,
      resultsPrefix: 'athena/',
      lakeFormationGoverned: true,
      table: { databaseName: 'curated', tableName: 'orders', columns: COLUMNS, dataBucket: data.bucket, dataPrefix: 'orders/' },
      ownerArns: [AUTHOR],
    });
    expectNagClean(stack);
  });

  test('imported data and results buckets (and key): cdk-nag clean; the prefix acknowledgements match the imported buckets', () => {
    const stack = testStack();
    const key = kms.Key.fromKeyArn(stack, 'Key', `arn:aws:kms:eu-west-1:${ACCOUNT}:key/11111111-2222-3333-4444-555555555555`);
    const data = s3.Bucket.fromBucketAttributes(stack, 'Curated', { bucketName: 'corp-curated', encryptionKey: key });
    const results = s3.Bucket.fromBucketName(stack, 'Results', 'corp-athena-results');
    new AthenaDataset(stack, 'Sales', {
      name: 'Sales',
      workGroupName: 'analysts',
      resultsBucket: results,
      resultsPrefix: 'athena/',
      table: { databaseName: 'curated', tableName: 'orders', columns: COLUMNS, dataBucket: data, dataPrefix: 'orders/' },
      ownerArns: [AUTHOR],
    });
    const report = expectNagClean(stack);
    expect(report.acknowledged.map((a) => a.rule)).toEqual(expect.arrayContaining([
      'AwsSolutions-IAM5[Resource::arn:aws:s3:::corp-curated/orders/*]', 'AwsSolutions-IAM5[Resource::arn:aws:s3:::corp-athena-results/athena/*]',
    ]));
  });
});

describe('AthenaDataset run time', () => {
  const { stack, ds, data, results } = build();
  const access = AccessModel.of(stack);
  const role = ds.role.roleArn;
  const viaS3 = { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' };

  test('logical ids of the stateful resources are unchanged', () => {
    expect([ds.dataSet, ds.dataSource, ds.role.node.defaultChild as any].map((c) => stack.getLogicalId(c)))
      .toEqual(['SalesDataSet9989FFD1', 'SalesDataSource3F6CCBDE', 'SalesRoleCDE31607']);
  });

  test('QuickSight of this account assumes the role; other accounts and services are refused', async () => {
    await access.expectAllowed({ principal: 'quicksight.amazonaws.com', action: 'sts:AssumeRole', resource: role, context: { 'aws:SourceAccount': ACCOUNT } });
    await access.expectDenied(
      { principal: 'quicksight.amazonaws.com', action: 'sts:AssumeRole', resource: role, context: { 'aws:SourceAccount': OTHER_ACCOUNT } },
      { principal: 'quicksight.amazonaws.com', action: 'sts:AssumeRole', resource: role },
      { principal: 'athena.amazonaws.com', action: 'sts:AssumeRole', resource: role, context: { 'aws:SourceAccount': ACCOUNT } },
    );
  });

  test('the role queries the one workgroup and table, reads the data prefix and writes the results prefix, with the keys through S3', async () => {
    await access.expectAllowed(
      { principal: role, action: 'athena:StartQueryExecution', resource: `arn:aws:athena:eu-west-1:${ACCOUNT}:workgroup/analysts` },
      { principal: role, action: 'glue:GetTable', resource: `arn:aws:glue:eu-west-1:${ACCOUNT}:table/curated/orders` },
      { principal: role, action: 's3:GetObject', resource: data.bucket.arnForObjects('orders/part-0.parquet') },
      { principal: role, action: 'kms:Decrypt', resource: data.encryptionKey.keyArn, context: viaS3 },
      { principal: role, action: 's3:PutObject', resource: results.bucket.arnForObjects('athena/q1.csv') },
      { principal: role, action: 'kms:GenerateDataKey', resource: results.encryptionKey.keyArn, context: viaS3 },
    );
    await access.expectDenied(
      { principal: role, action: 'athena:StartQueryExecution', resource: `arn:aws:athena:eu-west-1:${ACCOUNT}:workgroup/primary` },
      { principal: role, action: 'glue:GetTable', resource: `arn:aws:glue:eu-west-1:${ACCOUNT}:table/curated/customers` },
      { principal: role, action: 's3:GetObject', resource: data.bucket.arnForObjects('customers/part-0.parquet') },
      { principal: role, action: 's3:PutObject', resource: data.bucket.arnForObjects('orders/x') },
      { principal: role, action: 's3:PutObject', resource: results.bucket.arnForObjects('other/q1.csv') },
      { principal: role, action: 'kms:Decrypt', resource: data.encryptionKey.keyArn },
      { principal: role, action: 'lakeformation:GetDataAccess', resource: '*' },
    );
  });

  test('strangers, other accounts, unsigned and plain-HTTP requests are refused', async () => {
    const object = data.bucket.arnForObjects('orders/part-0.parquet');
    await access.expectDenied(
      { principal: Principals.strangerInAccount(), action: 's3:GetObject', resource: object },
      { ...Principals.otherAccountAdmin(), action: 's3:GetObject', resource: object },
      { principal: Principals.anonymous, action: 's3:GetObject', resource: object },
      { ...Principals.otherAccountAdmin(), action: 'kms:Decrypt', resource: data.encryptionKey.keyArn, context: viaS3 },
    );
    await access.expectExplicitlyDenied({ principal: role, action: 's3:GetObject', resource: object, context: { 'aws:SecureTransport': 'false' } });
  });
});

describe('AthenaDataset tokens and limits', () => {
  const path = 'TestStack/Sales';

  test('tokens: name, workgroup, database, table, refresh time and zone reach the template', () => {
    const stack = testStack();
    const data = s3.Bucket.fromBucketName(stack, 'Data', 'data');
    new AthenaDataset(stack, 'Sales', {
      name: stringParameter(stack, 'Name'),
      workGroupName: stringParameter(stack, 'Workgroup'),
      resultsBucket: data,
      table: { databaseName: stringParameter(stack, 'Db'), tableName: stringParameter(stack, 'Table'), columns: COLUMNS, dataBucket: data },
      ownerArns: [stringParameter(stack, 'Owner')],
      refresh: { timeOfDay: stringParameter(stack, 'Time'), timeZone: stringParameter(stack, 'Zone') },
    });
    const t = Template.fromStack(stack);
    expectParameterUsed(t, 'Name', /DataSet.*\.Name$/);
    expectParameterUsed(t, 'Workgroup', /WorkGroup$/);
    expectParameterUsed(t, 'Db', /Schema$/);
    expectParameterUsed(t, 'Table', /RelationalTable\.Name$/);
    expectParameterUsed(t, 'Owner', /Principal$/);
    expectParameterUsed(t, 'Time', /TimeOfTheDay$/);
    expectParameterUsed(t, 'Zone', /TimeZone$/);
  });

  test('refresh: HH:MM on both sides, IANA time zones only', () => {
    build({ refresh: { timeOfDay: '23:59', timeZone: 'Europe/Paris' } });
    build({ refresh: { timeOfDay: '00:00' } });
    expectPropError(() => build({ refresh: { timeOfDay: '24:00' } }), { path, prop: 'refresh.timeOfDay', value: '"24:00"', allowed: 'HH:MM (24 h)' });
    expectPropError(() => build({ refresh: { timeOfDay: '6:00' } }), { path, prop: 'refresh.timeOfDay', value: '"6:00"', allowed: 'HH:MM (24 h)' });
    expectPropError(() => build({ refresh: { timeZone: 'CET+1' } }), { path, prop: 'refresh.timeZone', value: 'CET+1', allowed: 'cron(' });
  });

  test('names, columns and principals on both sides of their limits', () => {
    const principal = (i: number) => `arn:aws:quicksight:eu-west-1:${ACCOUNT}:user/default/u${i}`;
    build({ name: 'n'.repeat(128) });
    expectPropError(() => build({ name: 'n'.repeat(129) }), { path, prop: 'name', allowed: '1-128 characters' });
    const columns = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `c${i}`, type: DatasetColumnType.STRING }));
    const withColumns = (n: number) => () => {
      const stack = testStack();
      const bucket = s3.Bucket.fromBucketName(stack, 'Data', 'data-bucket');
      return new AthenaDataset(stack, 'Sales', {
        name: 'Sales',
        workGroupName: 'analysts',
        resultsBucket: bucket,
        ownerArns: [AUTHOR],
        table: { databaseName: 'curated', tableName: 'orders', columns: columns(n), dataBucket: bucket },
      });
    };
    withColumns(2048)();
    expectPropError(withColumns(2049), { path, prop: 'table.columns', allowed: '1-2048 entries' });
    build({ ownerArns: Array.from({ length: 63 }, (_, i) => principal(i)), readerArns: [principal(100)] });
    expectPropError(() => build({ ownerArns: Array.from({ length: 64 }, (_, i) => principal(i)), readerArns: [principal(100)] }), { path, prop: 'ownerArns + readerArns', allowed: '1-64 entries' });
    build({ restrictedColumns: [{ columnNames: ['email'], allowedPrincipalArns: Array.from({ length: 100 }, (_, i) => principal(i)) }] });
    expectPropError(() => build({ restrictedColumns: [{ columnNames: ['email'], allowedPrincipalArns: Array.from({ length: 101 }, (_, i) => principal(i)) }] }),
      { path, prop: 'restrictedColumns[0].allowedPrincipalArns', allowed: '1-100 entries' });
  });
});
