import { acknowledgementLines, expectNagClean, normalizeTemplate, testApp } from '@analytics-patterns/testing';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { StreamingDataLakeStack, StreamingDataLakeStackProps } from '../src';

function synth(props: StreamingDataLakeStackProps = {}, app: App = testApp()) {
  const stack = new StreamingDataLakeStack(app, 'StreamingDataLake', props);
  return { stack, template: Template.fromStack(stack) };
}

describe('StreamingDataLakeStack', () => {
  const { stack, template } = synth();
  const id = (c: any) => stack.getLogicalId(c.node.defaultChild ?? c);
  const dependsOn = (c: any): string[] => template.toJSON().Resources[id(c)].DependsOn ?? [];
  const rawBucket = id(stack.storage.raw.bucket);
  const keyArn = { 'Fn::GetAtt': [id(stack.storage.encryptionKey), 'Arn'] };

  test('Firehose writes Parquet with the Glue table schema under year=/month=/day= in the raw zone, with the CMK', () => {
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      ExtendedS3DestinationConfiguration: Match.objectLike({
        BucketARN: { 'Fn::GetAtt': [rawBucket, 'Arn'] },
        Prefix: 'events/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/',
        CompressionFormat: 'UNCOMPRESSED',
        EncryptionConfiguration: { KMSEncryptionConfig: { AWSKMSKeyARN: keyArn } },
        DataFormatConversionConfiguration: Match.objectLike({
          Enabled: true,
          OutputFormatConfiguration: { Serializer: { ParquetSerDe: {} } },
          SchemaConfiguration: Match.objectLike({ DatabaseName: 'streaming_lake', TableName: 'events' }),
        }),
      }),
    });
  });

  test('the Parquet table matches the delivered layout (projection of year/month/day)', () => {
    template.hasResourceProperties('AWS::Glue::Table', {
      DatabaseName: 'streaming_lake',
      TableInput: Match.objectLike({
        Name: 'events',
        PartitionKeys: [{ Name: 'year', Type: 'string' }, { Name: 'month', Type: 'string' }, { Name: 'day', Type: 'string' }],
        Parameters: Match.objectLike({
          'classification': 'parquet',
          'projection.enabled': 'true',
          'storage.location.template': { 'Fn::Join': ['', ['s3://', { Ref: rawBucket }, '/events/year=${year}/month=${month}/day=${day}/']] },
        }),
      }),
    });
  });

  test('the crawler catalogs the partitioned prefix hourly', () => {
    template.hasResourceProperties('AWS::Glue::Crawler', {
      DatabaseName: 'streaming_lake',
      Schedule: { ScheduleExpression: 'cron(15 * * * ? *)' },
      Targets: { S3Targets: [{ Path: { 'Fn::Join': ['', ['s3://', { Ref: rawBucket }, '/events/']] }, Exclusions: ['**/_temporary/**'] }] },
    });
  });

  test('Lake Formation: admins, no IAMAllowedPrincipals defaults, raw events prefix registered with a dedicated role', () => {
    template.hasResourceProperties('AWS::LakeFormation::DataLakeSettings', {
      Admins: [
        { DataLakePrincipalIdentifier: { 'Fn::GetAtt': [id(stack.adminRole), 'Arn'] } },
        { DataLakePrincipalIdentifier: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/cdk-hnb659fds-cfn-exec-role-${AWS::AccountId}-${AWS::Region}' } },
      ],
      CreateDatabaseDefaultPermissions: [],
      CreateTableDefaultPermissions: [],
      MutationType: 'REPLACE',
    });
    template.hasResourceProperties('AWS::LakeFormation::Resource', {
      ResourceArn: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [rawBucket, 'Arn'] }, '/events']] },
      RoleArn: { 'Fn::GetAtt': [id(stack.lake.registrationRole), 'Arn'] },
      UseServiceLinkedRole: false,
    });
    template.hasResourceProperties('AWS::Glue::DataCatalogEncryptionSettings', {
      DataCatalogEncryptionSettings: Match.objectLike({ EncryptionAtRest: Match.objectLike({ CatalogEncryptionMode: 'SSE-KMS-WITH-SERVICE-ROLE', SseAwsKmsKeyId: keyArn }) }),
    });
    // the database and table are created after the settings: they never get the IAMAllowedPrincipals grant
    expect(dependsOn(stack.database.resource)).toEqual(expect.arrayContaining([id(stack.lake.settings), id(stack.lake.catalogEncryption)]));
    expect(dependsOn(stack.table.resource)).toEqual(expect.arrayContaining([id(stack.lake.settings)]));
  });

  test('the email column is tagged pii=true; the table pii=false; the database domain=streaming', () => {
    template.hasResourceProperties('AWS::LakeFormation::TagAssociation', {
      Resource: { TableWithColumns: Match.objectLike({ DatabaseName: 'streaming_lake', Name: 'events', ColumnNames: ['email'] }) },
      LFTags: [Match.objectLike({ TagKey: 'pii', TagValues: ['true'] })],
    });
    template.hasResourceProperties('AWS::LakeFormation::TagAssociation', {
      Resource: { Table: Match.objectLike({ DatabaseName: 'streaming_lake', Name: 'events' }) },
      LFTags: [Match.objectLike({ TagKey: 'pii', TagValues: ['false'] })],
    });
    template.hasResourceProperties('AWS::LakeFormation::TagAssociation', {
      Resource: { Database: Match.objectLike({ Name: 'streaming_lake' }) },
      LFTags: [Match.objectLike({ TagKey: 'domain', TagValues: ['streaming'] })],
    });
  });

  test('data scientists read non-PII columns through LF-TBAC', () => {
    template.hasResourceProperties('AWS::LakeFormation::PrincipalPermissions', {
      Principal: { DataLakePrincipalIdentifier: { 'Fn::GetAtt': [id(stack.dataScientistRole), 'Arn'] } },
      Resource: { LFTagPolicy: Match.objectLike({ ResourceType: 'TABLE', Expression: [{ TagKey: 'pii', TagValues: ['false'] }] }) },
      Permissions: ['SELECT', 'DESCRIBE'],
      PermissionsWithGrantOption: [],
    });
  });

  test('EU analysts read EU rows without the email column (data cells filter)', () => {
    template.hasResourceProperties('AWS::LakeFormation::DataCellsFilter', {
      DatabaseName: 'streaming_lake',
      TableName: 'events',
      Name: 'eu_rows_no_pii',
      RowFilter: { FilterExpression: "region = 'eu'" },
      ColumnWildcard: { ExcludedColumnNames: ['email'] },
    });
    template.hasResourceProperties('AWS::LakeFormation::PrincipalPermissions', {
      Principal: { DataLakePrincipalIdentifier: { 'Fn::GetAtt': [id(stack.euAnalystRole), 'Arn'] } },
      Resource: { DataCellsFilter: Match.objectLike({ DatabaseName: 'streaming_lake', TableName: 'events', Name: 'eu_rows_no_pii' }) },
      Permissions: ['SELECT'],
    });
    // no other SELECT for the analyst: LF permissions add up, a table-wide grant would undo the filter
    const selects = Object.values(template.findResources('AWS::LakeFormation::PrincipalPermissions')).filter((r: any) =>
      JSON.stringify(r.Properties.Principal).includes(id(stack.euAnalystRole)) && r.Properties.Permissions.includes('SELECT'));
    expect(selects).toHaveLength(1);
  });

  test('Firehose may describe the schema table; the delivery stream waits for that grant', () => {
    template.hasResourceProperties('AWS::LakeFormation::PrincipalPermissions', {
      Principal: { DataLakePrincipalIdentifier: { 'Fn::GetAtt': [id(stack.ingestion.deliveryRole), 'Arn'] } },
      Resource: { Table: Match.objectLike({ DatabaseName: 'streaming_lake', Name: 'events' }) },
      Permissions: ['DESCRIBE'],
    });
    const grant = stack.lake.grants.find((g) => JSON.stringify(stack.resolve(g.principal)).includes(id(stack.ingestion.deliveryRole)))!;
    expect(dependsOn(stack.ingestion.deliveryStream)).toContain(stack.getLogicalId(grant));
  });

  test('the crawler role keeps working under Lake Formation', () => {
    const crawler = { DataLakePrincipalIdentifier: { 'Fn::GetAtt': [id(stack.crawler.role), 'Arn'] } };
    template.hasResourceProperties('AWS::LakeFormation::PrincipalPermissions', {
      Principal: crawler, Resource: { Database: Match.objectLike({ Name: 'streaming_lake' }) }, Permissions: ['CREATE_TABLE', 'ALTER', 'DESCRIBE'],
    });
    template.hasResourceProperties('AWS::LakeFormation::PrincipalPermissions', {
      Principal: crawler,
      Resource: { DataLocation: Match.objectLike({ ResourceArn: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [rawBucket, 'Arn'] }, '/events']] } }) },
      Permissions: ['DATA_LOCATION_ACCESS'],
    });
  });

  test('Athena workgroup: enforced, encrypted results, 1 GiB cutoff; analysts may query it', () => {
    template.hasResourceProperties('AWS::Athena::WorkGroup', {
      Name: 'streaming-lake-analysts',
      WorkGroupConfiguration: Match.objectLike({
        EnforceWorkGroupConfiguration: true,
        BytesScannedCutoffPerQuery: 1073741824,
        ResultConfiguration: Match.objectLike({ EncryptionConfiguration: { EncryptionOption: 'SSE_KMS', KmsKey: keyArn } }),
      }),
    });
    template.hasResourceProperties('AWS::Athena::NamedQuery', { Database: 'streaming_lake', WorkGroup: Match.anyValue() });
    for (const role of [stack.dataScientistRole, stack.euAnalystRole]) {
      template.hasResourceProperties('AWS::IAM::Policy', {
        Roles: Match.arrayWith([{ Ref: id(role) }]),
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'lakeformation:GetDataAccess', Resource: '*' })]) },
      });
    }
  });

  test('no cross-account share unless asked', () => {
    const accounts = Object.values(template.findResources('AWS::LakeFormation::PrincipalPermissions'))
      .filter((r: any) => typeof r.Properties.Principal.DataLakePrincipalIdentifier === 'string');
    expect(accounts).toHaveLength(0);
  });

  test('named admins and a consumer account from props', () => {
    const other = synth({ adminArns: ['arn:aws:iam::123456789012:role/LakeAdmin'], consumerAccountId: '210987654321' });
    expect(other.stack.adminRole).toBeUndefined();
    other.template.hasResourceProperties('AWS::LakeFormation::DataLakeSettings', {
      Admins: Match.arrayWith([{ DataLakePrincipalIdentifier: 'arn:aws:iam::123456789012:role/LakeAdmin' }]),
    });
    other.template.hasResourceProperties('AWS::LakeFormation::PrincipalPermissions', {
      Principal: { DataLakePrincipalIdentifier: '210987654321' },
      Resource: { TableWithColumns: Match.objectLike({ DatabaseName: 'streaming_lake', Name: 'events', ColumnWildcard: { ExcludedColumnNames: ['email'] } }) },
      Permissions: ['SELECT'],
      PermissionsWithGrantOption: ['SELECT'],
    });
  });

  test('snapshot', () => {
    expect(normalizeTemplate(template.toJSON())).toMatchSnapshot();
  });

  test('cdk-nag: four packs clean (AwsSolutions, NIST 800-53 R5, HIPAA, PCI DSS); every acknowledgement listed, so a new one shows up in review', () => {
    const app = testApp();
    const nagged = new StreamingDataLakeStack(app, 'StreamingDataLake');
    const report = expectNagClean(nagged);
    expect(new Set(report.acknowledged.map((a) => a.pack))).toEqual(new Set(['AwsSolutions', 'NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321']));
    expect(acknowledgementLines(report, 'StreamingDataLake/')).toMatchSnapshot();
  });
});
