import { SecureBucket } from '@analytics-patterns/storage';
import { AWS_SOLUTIONS_ONLY, expectNagClean, expectPropError, testStack } from '@analytics-patterns/testing';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AthenaDataset, AthenaDatasetProps, DatasetColumnType, DatasetImportMode } from '../src';

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
  return { stack, ds, template: Template.fromStack(stack) };
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

  test('cdk-nag clean', () => {
    const { stack } = build({ lakeFormationGoverned: true });
    expectNagClean(stack, AWS_SOLUTIONS_ONLY);
  });
});
