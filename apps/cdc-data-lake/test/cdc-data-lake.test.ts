import * as fs from 'fs';
import { SandboxLifetime } from '@analytics-patterns/core';
import { LakeAdminRole } from '@analytics-patterns/processing';
import {
  AccessModel, AccessRequest, acknowledgementLines, expectNagClean, expectPropError, expectValidAsl, logicalId as id, normalizeTemplate,
  OTHER_ACCOUNT, Principals, stateMachineDefinitions, testApp,
} from '@analytics-patterns/testing';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
// the core package's small JSONata runner and cycle check (test support, not part of its API)
import { runJsonata } from '../../../packages/core/test/support/run-jsonata';
import { cycleIn } from '../../../packages/core/test/support/template-cycles';
import {
  ChangeDataCaptureLakeStack, ChangeDataCaptureLakeStackProps, CURATED_COLUMNS, JOB_SCRIPT, KAFKA_TOPIC, KEY_COLUMN, WORKFLOW_SCHEDULE,
} from '../src';

const ANALYST_ACCOUNT = '210987654321';
const EXTERNAL_ID = 'analysts-2026-cdc';
const REGION = 'eu-west-1';
const LAB_CONTEXT = {
  'cdc-lab-source': 'true',
  'cdc-streaming': 'true',
  'cdc-bootstrap-servers': 'b-1.lab.kafka.eu-west-1.amazonaws.com:9098,b-2.lab.kafka.eu-west-1.amazonaws.com:9098',
  'cdc-connector-plugin': 's3://my-connector-plugins/confluentinc-kafka-connect-s3-10.5.0.zip',
};

function synth(props: ChangeDataCaptureLakeStackProps = {}, app: App = testApp()) {
  const stack = new ChangeDataCaptureLakeStack(app, 'ChangeDataCaptureLake', props);
  return { stack, template: Template.fromStack(stack) };
}

describe('ChangeDataCaptureLake: what it composes', () => {
  const { stack, template } = synth({ analystAccountId: ANALYST_ACCOUNT, analystExternalId: EXTERNAL_ID });
  const raw = id(stack, stack.storage.raw.bucket);
  const curated = id(stack, stack.storage.curated.bucket);
  const keyArn = { 'Fn::GetAtt': [id(stack, stack.storage.encryptionKey as kms.Key), 'Arn'] };

  test('DMS Serverless: full load then CDC of sales.orders, as Parquet with op and commit time, into the raw zone under dms/', () => {
    const config = Object.values<any>(template.findResources('AWS::DMS::ReplicationConfig'))[0].Properties;
    expect(config.ReplicationType).toBe('full-load-and-cdc');
    expect(config.TableMappings.rules).toEqual([{
      'rule-type': 'selection', 'rule-id': '1', 'rule-name': 'include-1', 'object-locator': { 'schema-name': 'sales', 'table-name': 'orders' }, 'rule-action': 'include',
    }]);
    expect(config.ComputeConfig).toMatchObject({ MaxCapacityUnits: 2, MinCapacityUnits: 1, MultiAZ: false, KmsKeyId: keyArn });
    template.hasResourceProperties('AWS::DMS::Endpoint', {
      EndpointType: 'target',
      S3Settings: Match.objectLike({
        BucketName: { Ref: raw },
        BucketFolder: 'dms',
        DataFormat: 'parquet',
        EncryptionMode: 'SSE_KMS',
        ServerSideEncryptionKmsKeyId: keyArn,
        TimestampColumnName: 'dms_commit_ts',
        IncludeOpForFullLoad: true,
        DatePartitionEnabled: true,
      }),
    });
    // without a source in context the secret's ARN is a deploy-time parameter
    template.hasResourceProperties('AWS::DMS::Endpoint', {
      EndpointType: 'source',
      EngineName: 'postgres',
      DatabaseName: 'appdb',
      SslMode: 'require',
      PostgreSqlSettings: Match.objectLike({ SecretsManagerSecretId: { Ref: 'SourceSecretArn' } }),
    });
  });

  test('raw table over dms/sales/orders/ (DMS date folders as partitions); the crawler only adds partitions (schema changes logged)', () => {
    template.hasResourceProperties('AWS::Glue::Table', {
      DatabaseName: 'cdc_raw',
      TableInput: Match.objectLike({
        Name: 'orders',
        PartitionKeys: [{ Name: 'year', Type: 'string' }, { Name: 'month', Type: 'string' }, { Name: 'day', Type: 'string' }],
        StorageDescriptor: Match.objectLike({ Location: { 'Fn::Join': ['', ['s3://', { Ref: raw }, '/dms/sales/orders/']] } }),
      }),
    });
    template.hasResourceProperties('AWS::Glue::Crawler', {
      DatabaseName: 'cdc_raw',
      Targets: { S3Targets: [{ Path: { 'Fn::Join': ['', ['s3://', { Ref: raw }, '/dms/sales/orders/']] } }] },
      SchemaChangePolicy: { UpdateBehavior: 'LOG', DeleteBehavior: 'LOG' },
    });
    expect(template.findResources('AWS::Glue::Crawler')[id(stack, stack.crawler.crawler)].Properties.Schedule).toBeUndefined();
  });

  test('the Glue job runs the app\'s script with bookmarks and writes the curated table partitioned by change_date', () => {
    const job = template.findResources('AWS::Glue::Job')[id(stack, stack.job.job)].Properties;
    expect(job.Command).toMatchObject({ Name: 'glueetl', PythonVersion: '3' });
    expect(job.DefaultArguments).toMatchObject({
      '--job-bookmark-option': 'job-bookmark-enable',
      '--source_database': 'cdc_raw',
      '--source_table': 'orders',
      '--target_path': { 'Fn::Join': ['', ['s3://', { Ref: curated }, '/orders/']] },
      '--partition_keys': 'change_date',
      '--target_database': 'cdc_curated',
      '--target_table': 'orders',
    });
    expect(job.ExecutionProperty).toEqual({ MaxConcurrentRuns: 1 });
    expect(stack.job.script.assetPath).toBeDefined();
    expect(fs.readFileSync(JOB_SCRIPT, 'utf8')).toContain('job.commit()');
  });

  test('the script reads new raw files recursively under bookmarks and writes exactly the curated table\'s columns', () => {
    const script = fs.readFileSync(JOB_SCRIPT, 'utf8');
    const list = (name: string) => JSON.parse(new RegExp(`^${name} = (\\[.*\\])$`, 'm').exec(script)![1].replace(/'/g, '"'));
    expect(list('CURATED_COLUMNS')).toEqual(CURATED_COLUMNS.map((c) => c.name));
    expect(new RegExp(`^KEY_COLUMN = "${KEY_COLUMN}"$`, 'm').test(script)).toBe(true);
    expect(script).toMatch(/connection_options=\{"paths": \[raw_location\], "recurse": True\}/);
    expect(script).toMatch(/transformation_ctx="raw_changes"/);
    expect(script).toMatch(/partitionKeys=\["change_date"\]/);
    expect(script).toMatch(/enableUpdateCatalog=True/);
  });

  test('the nightly workflow crawls the raw zone, then runs the job only if the crawl SUCCEEDED', () => {
    template.hasResourceProperties('AWS::Glue::Trigger', {
      Type: 'SCHEDULED', Schedule: WORKFLOW_SCHEDULE.expressionString, StartOnCreation: true, Actions: [{ CrawlerName: stack.crawler.crawlerName }],
    });
    template.hasResourceProperties('AWS::Glue::Trigger', {
      Type: 'CONDITIONAL',
      StartOnCreation: true,
      Predicate: { Conditions: [{ CrawlerName: stack.crawler.crawlerName, CrawlState: 'SUCCEEDED', LogicalOperator: 'EQUALS' }] },
      Actions: [{ JobName: stack.job.jobName }],
    });
  });

  test('Lake Formation governs the curated prefix; the raw zone is not registered', () => {
    template.resourceCountIs('AWS::LakeFormation::Resource', 1);
    template.hasResourceProperties('AWS::LakeFormation::Resource', {
      ResourceArn: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [curated, 'Arn'] }, '/orders']] }, UseServiceLinkedRole: false,
    });
    template.hasResourceProperties('AWS::LakeFormation::DataLakeSettings', { CreateDatabaseDefaultPermissions: [], CreateTableDefaultPermissions: [] });
  });

  test('grants: analysts and QuickSight read the curated table, the external account every column but customer_id, nobody of them the raw database', () => {
    const grants = Object.values<any>(template.findResources('AWS::LakeFormation::PrincipalPermissions')).map((g) => g.Properties);
    const of = (role: any) => grants.filter((g) => JSON.stringify(g.Principal).includes(id(stack, role)));
    for (const role of [stack.analystRole, stack.dataset!.role]) {
      expect(of(role).map((g) => ({ resource: g.Resource, permissions: g.Permissions, grantable: g.PermissionsWithGrantOption }))).toEqual([
        { resource: { Database: { CatalogId: { Ref: 'AWS::AccountId' }, Name: 'cdc_curated' } }, permissions: ['DESCRIBE'], grantable: [] },
        { resource: { Table: { CatalogId: { Ref: 'AWS::AccountId' }, DatabaseName: 'cdc_curated', Name: 'orders' } }, permissions: ['SELECT', 'DESCRIBE'], grantable: [] },
      ]);
    }
    expect(of(stack.crossAccount.role).map((g) => ({ resource: g.Resource, permissions: g.Permissions }))).toEqual([
      { resource: { Database: { CatalogId: { Ref: 'AWS::AccountId' }, Name: 'cdc_curated' } }, permissions: ['DESCRIBE'] },
      {
        resource: { TableWithColumns: { CatalogId: { Ref: 'AWS::AccountId' }, DatabaseName: 'cdc_curated', Name: 'orders', ColumnWildcard: { ExcludedColumnNames: ['customer_id'] } } },
        permissions: ['SELECT'],
      },
    ]);
    const crawler = of(stack.crawler.role).map((g) => JSON.stringify(g.Resource));
    expect(crawler.every((r) => r.includes('cdc_raw') && !r.includes('DataLocation'))).toBe(true);
    const job = of(stack.job.role).map((g) => JSON.stringify(g.Resource));
    expect(job.some((r) => r.includes('DataLocation'))).toBe(true);
  });

  test('Athena: enforced, encrypted workgroup with the current-state and changes-per-day queries; its usage alarm notifies the app topic', () => {
    template.hasResourceProperties('AWS::Athena::WorkGroup', {
      Name: 'cdc-lake-analysts',
      WorkGroupConfiguration: Match.objectLike({ EnforceWorkGroupConfiguration: true, BytesScannedCutoffPerQuery: 1073741824 }),
    });
    template.hasResourceProperties('AWS::Athena::NamedQuery', { Name: 'current-orders', Database: 'cdc_curated', QueryString: Match.stringLikeRegexp("row_number\\(\\) OVER \\(PARTITION BY order_id ORDER BY dms_commit_ts DESC\\)[\\s\\S]*WHERE rn = 1 AND op <> 'D'") });
    template.hasResourceProperties('AWS::Athena::NamedQuery', { Name: 'changes-per-day', Database: 'cdc_curated' });
    const topic = { Ref: id(stack, stack.alarmTopic.topic) };
    for (const alarm of Object.values<any>(template.findResources('AWS::CloudWatch::Alarm'))) expect(alarm.Properties.AlarmActions).toEqual([topic]);
  });

  test('QuickSight: a SPICE dataset over cdc_curated.orders owned by the cdc-lake-authors group by default', () => {
    template.hasResourceProperties('AWS::QuickSight::DataSet', { ImportMode: 'SPICE' });
    const source = Object.values<any>(template.findResources('AWS::QuickSight::DataSource'))[0].Properties;
    expect(source.DataSourceParameters).toEqual({ AthenaParameters: { WorkGroup: 'cdc-lake-analysts', RoleArn: { 'Fn::GetAtt': [id(stack, stack.dataset!.role), 'Arn'] } } });
    expect(JSON.stringify(source.Permissions)).toContain(':group/default/cdc-lake-authors');
  });

  test('the external analysts\' role trusts only the named account, with its external id, for one hour', () => {
    const role = template.findResources('AWS::IAM::Role')[id(stack, stack.crossAccount.role)].Properties;
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([{
      Action: 'sts:AssumeRole',
      Effect: 'Allow',
      Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${ANALYST_ACCOUNT}:root`]] } },
      Condition: { StringEquals: { 'sts:ExternalId': EXTERNAL_ID } },
    }]);
    expect(role.MaxSessionDuration).toBe(3600);
  });

  test('the VPC: isolated subnets, default security group closed, Secrets Manager endpoint reachable from DMS only', () => {
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.resourceCountIs('Custom::VpcRestrictDefaultSG', 1);
    const endpointGroup = id(stack, stack.secretsEndpoint.connections.securityGroups[0]);
    template.resourcePropertiesCountIs('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [endpointGroup, 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [id(stack, stack.replication.securityGroup), 'GroupId'] },
      IpProtocol: 'tcp',
      FromPort: 443,
      ToPort: 443,
    }, 1);
    template.resourcePropertiesCountIs('AWS::EC2::SecurityGroupIngress', { GroupId: { 'Fn::GetAtt': [endpointGroup, 'GroupId'] } }, 1);
  });

  test('no lab database, no MSK unless asked; stateful resources are retained', () => {
    template.resourceCountIs('AWS::RDS::DBCluster', 0);
    template.resourceCountIs('AWS::MSK::Cluster', 0);
    for (const type of ['AWS::S3::Bucket', 'AWS::KMS::Key', 'AWS::Glue::Database', 'AWS::Glue::Table', 'AWS::Athena::WorkGroup']) {
      for (const r of Object.values<any>(template.findResources(type))) expect(`${type}: ${r.DeletionPolicy}`).toBe(`${type}: Retain`);
    }
  });

  test('snapshot (normalized)', () => {
    expect(normalizeTemplate(template.toJSON())).toMatchSnapshot();
  });

  describe('run-time permissions across constructs', () => {
    const access = AccessModel.of(stack);
    const rawObject = stack.storage.raw.bucket.arnForObjects('dms/sales/orders/2026/11/28/20261128-101500000.parquet');
    const rawFullLoad = stack.storage.raw.bucket.arnForObjects('dms/sales/orders/LOAD00000001.parquet');
    const curatedObject = stack.storage.curated.bucket.arnForObjects('orders/change_date=2026-11-28/part-00000.snappy.parquet');
    const key = stack.storage.encryptionKey.keyArn;
    const viaS3 = (bucketArn: string) => ({ 'kms:ViaService': `s3.${REGION}.amazonaws.com`, 'kms:EncryptionContext:aws:s3:arn': bucketArn });
    const glue = (resource: string, name: string) => `arn:aws:glue:${REGION}:123456789012:${resource}/${name}`;
    const as = (principal: string, action: string, resource: string, context?: Record<string, string>): AccessRequest => ({
      principal, action, resource, context,
    });

    test('DMS writes the raw zone under dms/ with the lake key through S3, and nothing else', async () => {
      const dms = stack.replication.targetRole.roleArn;
      await access.expectAllowed(
        as(dms, 's3:PutObject', rawObject), as(dms, 's3:PutObject', rawFullLoad), as(dms, 's3:ListBucket', stack.storage.raw.bucket.bucketArn),
        as(dms, 'kms:GenerateDataKey', key, viaS3(stack.storage.raw.bucket.bucketArn)),
        { principal: 'dms.amazonaws.com', action: 'sts:AssumeRole', resource: dms, context: { 'aws:SourceAccount': '123456789012' } },
      );
      await access.expectDenied(
        as(dms, 's3:PutObject', curatedObject),
        as(dms, 's3:PutObject', stack.storage.raw.bucket.arnForObjects('kafka/sales.orders.changes/x.json')),
        as(dms, 'kms:GenerateDataKey', key, viaS3(stack.storage.curated.bucket.bucketArn)),
        as(dms, 'kms:GenerateDataKey', key),
        { principal: 'dms.amazonaws.com', action: 'sts:AssumeRole', resource: dms, context: { 'aws:SourceAccount': OTHER_ACCOUNT } },
      );
    });

    test('the crawler reads the raw table\'s prefix and adds partitions to raw tables only', async () => {
      const crawler = stack.crawler.role.roleArn;
      await access.expectAllowed(
        as(crawler, 's3:GetObject', rawObject), as(crawler, 'kms:Decrypt', key, viaS3(stack.storage.raw.bucket.bucketArn)),
        as(crawler, 'glue:BatchCreatePartition', glue('table', 'cdc_raw/orders')), as(crawler, 'glue:GetTable', glue('table', 'cdc_raw/orders')),
      );
      await access.expectDenied(
        as(crawler, 's3:GetObject', curatedObject), as(crawler, 's3:PutObject', rawObject),
        as(crawler, 'glue:BatchCreatePartition', glue('table', 'cdc_curated/orders')),
      );
    });

    test('the Glue job reads raw, writes curated with the key, updates the curated catalog; never writes raw', async () => {
      const job = stack.job.role.roleArn;
      await access.expectAllowed(
        as(job, 's3:GetObject', rawObject), as(job, 's3:GetObject', rawFullLoad), as(job, 'glue:GetTable', glue('table', 'cdc_raw/orders')),
        as(job, 's3:PutObject', curatedObject), as(job, 'kms:GenerateDataKey', key, viaS3(stack.storage.curated.bucket.bucketArn)),
        as(job, 'glue:BatchCreatePartition', glue('table', 'cdc_curated/orders')), as(job, 'glue:GetTable', glue('table', 'cdc_curated/orders')),
        as(job, 'lakeformation:GetDataAccess', '*'),
        { principal: 'glue.amazonaws.com', action: 'sts:AssumeRole', resource: job },
      );
      await access.expectDenied(
        as(job, 's3:PutObject', rawObject), as(job, 's3:DeleteObject', rawFullLoad),
        as(job, 'glue:BatchCreatePartition', glue('table', 'cdc_raw/orders')),
      );
    });

    test('the analyst and QuickSight roles query the curated table through Athena; neither touches the raw zone', async () => {
      const workgroup = `arn:aws:athena:${REGION}:123456789012:workgroup/cdc-lake-analysts`;
      for (const role of [stack.analystRole.roleArn, stack.dataset!.role.roleArn]) {
        await access.expectAllowed(
          as(role, 'athena:StartQueryExecution', workgroup), as(role, 'athena:GetQueryResults', workgroup),
          as(role, 'glue:GetTable', glue('table', 'cdc_curated/orders')), as(role, 'lakeformation:GetDataAccess', '*'),
        );
        await access.expectDenied(
          as(role, 's3:GetObject', rawObject), as(role, 'glue:GetTable', glue('table', 'cdc_raw/orders')), as(role, 's3:PutObject', curatedObject),
          as(role, 'athena:StartQueryExecution', `arn:aws:athena:${REGION}:123456789012:workgroup/primary`),
        );
      }
      await access.expectAllowed({ principal: 'quicksight.amazonaws.com', action: 'sts:AssumeRole', resource: stack.dataset!.role.roleArn, context: { 'aws:SourceAccount': '123456789012' } });
      await access.expectDenied({ principal: 'quicksight.amazonaws.com', action: 'sts:AssumeRole', resource: stack.dataset!.role.roleArn, context: { 'aws:SourceAccount': OTHER_ACCOUNT } });
    });

    test('the external analysts\' role: assumable by the named account with its external id only; the raw zone refused', async () => {
      const role = stack.crossAccount.role.roleArn;
      const caller = (account: string) => ({
        ...Principals.roleAssumer('Analyst', account),
        action: 'sts:AssumeRole',
        resource: role,
      });
      await access.expectAllowed({ ...caller(ANALYST_ACCOUNT), context: { 'sts:ExternalId': EXTERNAL_ID } });
      await access.expectDenied(
        caller(ANALYST_ACCOUNT),
        { ...caller(ANALYST_ACCOUNT), context: { 'sts:ExternalId': 'guessed' } },
        { ...caller(OTHER_ACCOUNT), context: { 'sts:ExternalId': EXTERNAL_ID } },
        { ...caller('123456789012'), context: { 'sts:ExternalId': EXTERNAL_ID } },
      );
      await access.expectAllowed(
        as(role, 'athena:StartQueryExecution', `arn:aws:athena:${REGION}:123456789012:workgroup/cdc-lake-analysts`),
        as(role, 'glue:GetTable', glue('table', 'cdc_curated/orders')), as(role, 'lakeformation:GetDataAccess', '*'),
      );
      await access.expectDenied(
        as(role, 's3:GetObject', rawObject), as(role, 's3:ListBucket', stack.storage.raw.bucket.bucketArn),
        as(role, 'glue:GetTable', glue('table', 'cdc_raw/orders')), as(role, 'glue:GetPartitions', glue('table', 'cdc_raw/orders')),
        as(role, 'kms:Decrypt', key, viaS3(stack.storage.raw.bucket.bucketArn)), as(role, 's3:GetObject', curatedObject),
      );
    });

    test('strangers, other accounts, unsigned and plain-HTTP requests are refused on both zones', async () => {
      for (const object of [rawObject, curatedObject]) {
        await access.expectDenied(
          as(Principals.strangerInAccount(), 's3:GetObject', object),
          { ...Principals.otherAccountAdmin(), action: 's3:GetObject', resource: object },
          { principal: Principals.anonymous, action: 's3:GetObject', resource: object },
        );
        await access.expectExplicitlyDenied(as(stack.job.role.roleArn, 's3:GetObject', object, { 'aws:SecureTransport': 'false' }));
      }
      await access.expectDenied({ ...Principals.otherAccountAdmin(), action: 'kms:Decrypt', resource: key });
    });

    test('the DataLakeAdmin role: only principals tagged analytics-patterns:lake-admin=true may assume it, never the whole account', async () => {
      const admin = stack.adminRole!.roleArn;
      const tagged = { [`aws:PrincipalTag/${LakeAdminRole.ADMIN_TAG}`]: 'true' };
      await access.expectAllowed({ ...Principals.roleAssumer('LakeSteward'), action: 'sts:AssumeRole', resource: admin, context: tagged });
      await access.expectDenied(
        { ...Principals.roleAssumer('Developer'), action: 'sts:AssumeRole', resource: admin },
        { ...Principals.otherAccountAdmin(), action: 'sts:AssumeRole', resource: admin, context: tagged },
      );
    });

    test('CloudWatch alarms of this account publish to the encrypted alarm topic', async () => {
      const alarm = `arn:aws:cloudwatch:${REGION}:123456789012:alarm:cdc-lake-analysts-data-usage`;
      const context = { 'aws:SourceAccount': '123456789012', 'aws:SourceArn': alarm };
      await access.expectAllowed(
        { principal: 'cloudwatch.amazonaws.com', action: 'sns:Publish', resource: stack.alarmTopic.topic.topicArn, context },
        { principal: 'cloudwatch.amazonaws.com', action: 'kms:GenerateDataKey', resource: key, context },
      );
      await access.expectDenied({ principal: 'cloudwatch.amazonaws.com', action: 'sns:Publish', resource: stack.alarmTopic.topic.topicArn, context: { ...context, 'aws:SourceAccount': OTHER_ACCOUNT } });
    });
  });
});

describe('ChangeDataCaptureLake in sandbox mode with the lab source and the streaming alternative', () => {
  const { stack, template } = synth({}, testApp({ sandbox: true, context: LAB_CONTEXT }));
  const access = AccessModel.of(stack);

  test('the lab source: Aurora PostgreSQL Serverless v2 with logical replication and the Data API, reachable from DMS only', () => {
    template.hasResourceProperties('AWS::RDS::DBCluster', {
      Engine: 'aurora-postgresql',
      EnableHttpEndpoint: true,
      StorageEncrypted: true,
      DeletionProtection: false,
      ServerlessV2ScalingConfiguration: { MinCapacity: 0.5, MaxCapacity: 1 },
    });
    template.hasResourceProperties('AWS::RDS::DBClusterParameterGroup', { Parameters: { 'rds.logical_replication': '1', 'rds.force_ssl': '1' } });
    template.hasResourceProperties('AWS::DMS::Endpoint', { EndpointType: 'source', EngineName: 'aurora-postgresql', DatabaseName: 'appdb' });
    const dbGroup = id(stack, stack.labSource!.connections.securityGroups[0]);
    expect(Object.values<any>(template.findResources('AWS::EC2::SecurityGroupIngress'))
      .filter((r) => JSON.stringify(r.Properties.GroupId).includes(dbGroup)).map((r) => r.Properties)).toEqual([{
      GroupId: { 'Fn::GetAtt': [dbGroup, 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [id(stack, stack.replication.securityGroup), 'GroupId'] },
      IpProtocol: 'tcp',
      FromPort: 5432,
      ToPort: 5432,
      Description: 'DMS Serverless replication',
    }]);
    expect(Object.keys(template.toJSON().Outputs)).toEqual(expect.arrayContaining(['LabClusterArn', 'LabSecretArn']));
  });

  test('DMS reads the lab secret (and decrypts it through Secrets Manager); nobody else does', async () => {
    // the attachment's Ref is the secret's ARN: evaluate on the secret itself
    const secret = access.resolve({ Ref: Object.keys(template.findResources('AWS::SecretsManager::Secret'))[0] }) as string;
    const role = stack.replication.secretRole.roleArn;
    await access.expectAllowed(
      { principal: role, action: 'secretsmanager:GetSecretValue', resource: secret },
      { principal: role, action: 'kms:Decrypt', resource: stack.storage.encryptionKey.keyArn, context: { 'kms:ViaService': `secretsmanager.${REGION}.amazonaws.com` } },
    );
    await access.expectDenied(
      { principal: role, action: 'kms:Decrypt', resource: stack.storage.encryptionKey.keyArn },
      { principal: stack.analystRole.roleArn, action: 'secretsmanager:GetSecretValue', resource: secret },
      { principal: stack.crossAccount.role.roleArn, action: 'secretsmanager:GetSecretValue', resource: secret },
    );
  });

  test('streaming alternative: the connector copies the orders topic to raw/kafka/ and may write nowhere else', async () => {
    const connector = stack.streaming!.connector!;
    template.hasResourceProperties('AWS::MSK::Cluster', { BrokerNodeGroupInfo: Match.objectLike({ InstanceType: 'kafka.t3.small' }), NumberOfBrokerNodes: 2 });
    template.hasResourceProperties('AWS::KafkaConnect::Connector', {
      KafkaCluster: { ApacheKafkaCluster: { BootstrapServers: LAB_CONTEXT['cdc-bootstrap-servers'], Vpc: Match.anyValue() } },
      ConnectorConfiguration: Match.objectLike({ 'topics': KAFKA_TOPIC, 'topics.dir': 'kafka' }),
    });
    template.hasResourceProperties('AWS::KafkaConnect::CustomPlugin', {
      Location: { S3Location: { BucketArn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::my-connector-plugins']] }, FileKey: 'confluentinc-kafka-connect-s3-10.5.0.zip' } },
    });
    const role = connector.role.roleArn;
    await access.expectAllowed({ principal: role, action: 's3:PutObject', resource: stack.storage.raw.bucket.arnForObjects(`kafka/topics/${KAFKA_TOPIC}/partition=0/x.json`) });
    await access.expectDenied(
      { principal: role, action: 's3:PutObject', resource: stack.storage.raw.bucket.arnForObjects('dms/sales/orders/x.parquet') },
      { principal: role, action: 's3:PutObject', resource: stack.storage.curated.bucket.arnForObjects('orders/x.parquet') },
    );
  });

  test('the analysts default to this account, with an external id derived from the stack name', () => {
    const role = template.findResources('AWS::IAM::Role')[id(stack, stack.crossAccount.role)].Properties;
    expect(role.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({ AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root']] } });
    expect(role.AssumeRolePolicyDocument.Statement[0].Condition).toEqual({ StringEquals: { 'sts:ExternalId': 'ChangeDataCaptureLake-analyst' } });
  });
});

describe('ChangeDataCaptureLake: context and validation', () => {
  test('first step of the streaming alternative: the cluster without a connector until the bootstrap servers are given', () => {
    const { stack, template } = synth({}, testApp({ context: { 'cdc-streaming': 'true', 'cdc-quicksight': 'false' } }));
    template.resourceCountIs('AWS::MSK::Cluster', 1);
    template.resourceCountIs('AWS::KafkaConnect::Connector', 0);
    template.resourceCountIs('AWS::QuickSight::DataSet', 0);
    expect(stack.streaming!.connector).toBeUndefined();
    expect(Object.keys(template.toJSON().Outputs)).toContain('KafkaClusterArn');
  });

  test('a source of your own from context: engine, database, secret with its key, network', () => {
    const { template } = synth({}, testApp({
      context: {
        'cdc-source-secret-arn': 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/orders-AbCdEf',
        'cdc-source-secret-key-arn': 'arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555',
        'cdc-source-engine': 'mysql',
        'cdc-source-database': 'shop',
        'cdc-source-cidr': '10.20.0.0/16',
        'cdc-quicksight': 'false',
      },
    }));
    template.hasResourceProperties('AWS::DMS::Endpoint', {
      EndpointType: 'source',
      EngineName: 'mysql',
      DatabaseName: 'shop',
      MySqlSettings: Match.objectLike({ SecretsManagerSecretId: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/orders-AbCdEf' }),
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupEgress: Match.arrayWith([{ CidrIp: '10.20.0.0/16', IpProtocol: 'tcp', FromPort: 3306, ToPort: 3306, Description: 'Source database' }]),
    });
    expect(template.toJSON().Parameters?.SourceSecretArn).toBeUndefined();
  });

  test('refused: the lab source outside sandbox mode, another analyst account without an external id, a plugin that is not an S3 ZIP/JAR', () => {
    const path = 'ChangeDataCaptureLake';
    expectPropError(() => synth({ labSource: true }), { path, prop: 'labSource (cdc-lab-source)', allowed: 'only in sandbox mode' });
    expectPropError(() => synth({ analystAccountId: ANALYST_ACCOUNT }), { path, prop: 'analystExternalId (analyst-external-id)', allowed: 'confused-deputy' });
    expectPropError(() => synth({}, testApp({ context: { 'cdc-streaming': 'true', 'cdc-connector-plugin': 'https://example.com/plugin.zip' } })),
      { path, prop: 'cdc-connector-plugin', value: 'https://example.com/plugin.zip', allowed: 's3://<bucket>/<key>.zip or .jar' });
  });

  test('cdk-nag, all four packs: clean for the default app, and the sandbox lab with the source, MSK, the connector and a time-to-live', () => {
    expectNagClean(new ChangeDataCaptureLakeStack(testApp(), 'ChangeDataCaptureLake'));
    const lab = testApp({ sandbox: true, context: { ...LAB_CONTEXT, 'analytics-patterns:sandbox-ttl-hours': '4' } });
    const report = expectNagClean(new ChangeDataCaptureLakeStack(lab, 'ChangeDataCaptureLake'));
    // the acknowledgements the app itself makes (the constructs' own are pinned by their packages): a new one shows up here
    const own = acknowledgementLines(report, 'ChangeDataCaptureLake/')
      .filter((l) => /: \[(ChangeDataCaptureLakeStack|LabSourceDatabase|StreamingAlternative) at /.test(l)).map((l) => l.replace(/: \[.*$/, ''));
    const compliance = (rule: string, path: string) => ['HIPAA.Security', 'NIST.800.53.R5', 'PCI.DSS.321'].map((pack) => `${pack}-${rule} at ${path}`);
    expect(own).toEqual([
      'AwsSolutions-IAM5[Resource::*] at Analyst/DefaultPolicy/Resource',
      'AwsSolutions-IAM5[Resource::<WorkgroupResultsBucket9D320FB1.Arn>/athena-results/cdc-lake-analysts/*] at Analyst/DefaultPolicy/Resource',
      'AwsSolutions-RDS10 at LabSource/Cluster/Resource',
      'AwsSolutions-SMG4 at LabSource/Cluster/Secret/Resource',
      ...compliance('IAMNoInlinePolicy', 'Analyst/DefaultPolicy/Resource'),
      ...compliance('IAMNoInlinePolicy', 'Vpc/FlowLogsRole/DefaultPolicy/Resource'),
      // PCI DSS 3.2.1 has no rule on these three
      ...compliance('RDSEnhancedMonitoringEnabled', 'LabSource/Cluster/Writer/Resource').slice(0, 2),
      ...compliance('RDSInBackupPlan', 'LabSource/Cluster/Writer/Resource').slice(0, 2),
      ...compliance('RDSInstanceDeletionProtectionEnabled', 'LabSource/Cluster/Resource').slice(0, 2),
      ...compliance('SecretsManagerRotationEnabled', 'LabSource/Cluster/Secret/Resource').slice(0, 2),
    ].sort());
    for (const a of report.acknowledged) expect(a.reason.length).toBeGreaterThanOrEqual(40);
  });
});

describe('ChangeDataCaptureLake: the sandbox time-to-live stops the DMS replication before deleting the stack', () => {
  const app = testApp({ sandbox: true, context: { 'cdc-lab-source': 'true', 'analytics-patterns:sandbox-ttl-hours': '4' } });
  const { stack, template } = synth({}, app);
  const expiry = SandboxLifetime.apply(stack)!.expiry!;
  const del = stateMachineDefinitions(template)[id(stack, expiry.deleteStateMachine)];
  const configArn = `arn:aws:dms:${REGION}:123456789012:replication-config:${stack.replication.replication.resourceIdentifier}`;
  const filters = [{ Name: 'replication-config-arn', Values: [configArn] }];

  test('the replication configuration has a ResourceIdentifier (its ARN is known at synth, no reference from the state machine)', () => {
    expect(stack.replication.replication.resourceIdentifier).toMatch(/^[a-z](?!.*--)[a-z0-9-]{0,29}[a-z0-9]$/);
    template.hasResourceProperties('AWS::DMS::ReplicationConfig', { ResourceIdentifier: stack.replication.replication.resourceIdentifier });
    expect(stack.resolve(stack.stopReplication!.replicationConfigArn)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':dms:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' },
        `:replication-config:${stack.replication.replication.resourceIdentifier}`]],
    });
    // without the time-to-live (and outside sandbox mode) nothing changes
    expect(synth({}, testApp({ sandbox: true, context: { 'cdc-lab-source': 'true' } })).stack.replication.replication.resourceIdentifier).toBeUndefined();
    expect(synth().stack.stopReplication).toBeUndefined();
  });

  test('the definition is valid ASL: stop, wait until stopped, then DeleteStack, before the first attempt and each retry', () => {
    expectValidAsl(del);
    expect(del.States.CheckStack.Default).toBe('StopReplication');
    expect(del.States.WaitBeforeRetry.Next).toBe('StopReplication');
    expect(del.States.StopReplication).toEqual({
      Type: 'Task',
      Resource: 'arn:aws:states:::aws-sdk:databasemigration:stopReplication',
      Arguments: { ReplicationConfigArn: configArn },
      Assign: { replicationPolls: 0 },
      Catch: [{
        ErrorEquals: ['DatabaseMigration.InvalidResourceStateFaultException', 'DatabaseMigration.ResourceNotFoundFaultException'],
        Assign: { replicationPolls: 0 },
        Next: 'DescribeReplication',
      }],
      Next: 'DescribeReplication',
    });
    expect(del.States.DescribeReplication).toMatchObject({
      Resource: 'arn:aws:states:::aws-sdk:databasemigration:describeReplications',
      Catch: [{ ErrorEquals: ['DatabaseMigration.ResourceNotFoundFaultException'], Next: 'ReplicationStopped' }],
      Next: 'CheckReplication',
    });
    expect(del.States.CheckReplication.Choices.map((c: any) => [c.Condition, c.Next])).toEqual([
      ["{% $replicationStatus in ['stopped', 'failed', 'created', 'none'] %}", 'ReplicationStopped'],
      ['{% $replicationPolls >= 40 %}', 'ReplicationNotStopped'],
    ]);
    expect(del.States.CheckReplication.Default).toBe('WaitForReplicationStop');
    expect(del.States.WaitForReplicationStop).toEqual({ Type: 'Wait', Seconds: 30, Next: 'DescribeReplication' });
    expect(del.States.ReplicationStopped.Next).toBe('DeleteStack');
  });

  const running = (status: string) => () => ({ Replications: [{ ReplicationConfigArn: configArn, Status: status }] });
  const describedStack = (...statuses: string[]) => () => {
    const status = statuses.length > 1 ? statuses.shift()! : statuses[0];
    return { Stacks: [{ StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/ChangeDataCaptureLake/1', StackStatus: status, RoleARN: 'arn:aws:iam::123456789012:role/cfn-exec' }] };
  };

  test('runs: a running replication is stopped and waited for, then the stack is deleted', async () => {
    const replication = ['running', 'stopping', 'stopped'];
    const r = await runJsonata(del, {
      tasks: {
        DescribeStack: describedStack('UPDATE_COMPLETE', 'DELETE_COMPLETE'),
        StopReplication: () => ({}),
        DescribeReplication: () => running(replication.shift()!)(),
        DeleteStack: () => ({}),
      },
    });
    expect(r.status).toBe('SUCCEEDED');
    expect(r.path).toEqual([
      'Start', 'DescribeStack', 'CheckStack', 'StopReplication', 'DescribeReplication', 'CheckReplication', 'WaitForReplicationStop',
      'DescribeReplication', 'CheckReplication', 'WaitForReplicationStop', 'DescribeReplication', 'CheckReplication', 'ReplicationStopped',
      'DeleteStack', 'WaitForDeletion', 'DescribeStack', 'CheckStack', 'Deleted',
    ]);
    const dmsArn = r.calls.find((c) => c.state === 'StopReplication')!.args.ReplicationConfigArn;
    expect(r.calls.filter((c) => c.state === 'DescribeReplication').map((c) => c.args)).toEqual(Array(3).fill({ Filters: [{ Name: 'replication-config-arn', Values: [dmsArn] }] }));
  });

  test('runs: an already stopped replication (InvalidResourceStateFault) is not an error; DELETE_FAILED stops it again and retries', async () => {
    const r = await runJsonata(del, {
      tasks: {
        DescribeStack: describedStack('UPDATE_COMPLETE', 'DELETE_FAILED', 'DELETE_COMPLETE'),
        StopReplication: () => { throw { Error: 'DatabaseMigration.InvalidResourceStateFaultException' }; },
        DescribeReplication: running('stopped'),
        DeleteStack: () => ({}),
      },
    });
    expect(r.status).toBe('SUCCEEDED');
    expect(r.calls.map((c) => c.state)).toEqual([
      'DescribeStack', 'StopReplication', 'DescribeReplication', 'DeleteStack', 'DescribeStack', 'StopReplication', 'DescribeReplication', 'DeleteStack', 'DescribeStack',
    ]);
  });

  test('runs: a configuration with no replication listed (never started) counts as stopped', async () => {
    const r = await runJsonata(del, {
      tasks: { DescribeStack: describedStack('UPDATE_COMPLETE', 'DELETE_COMPLETE'), StopReplication: () => ({}), DescribeReplication: () => ({ Replications: [] }), DeleteStack: () => ({}) },
    });
    expect(r.status).toBe('SUCCEEDED');
    expect(r.path).toContain('ReplicationStopped');
    expect(r.calls.filter((c) => c.state === 'DescribeReplication')).toHaveLength(1);
  });

  test('runs: a replication that never stops fails the execution with Sandbox.ReplicationNotStopped and deletes nothing', async () => {
    const r = await runJsonata(del, {
      tasks: { DescribeStack: describedStack('UPDATE_COMPLETE'), StopReplication: () => ({}), DescribeReplication: running('stopping'), DeleteStack: () => { throw new Error('must not delete'); } },
    });
    expect(r).toMatchObject({ status: 'FAILED', error: 'Sandbox.ReplicationNotStopped' });
    expect(r.cause).toBe('The DMS Serverless replication is still stopping after 40 looks 30 s apart: stop it (aws dms stop-replication) and delete the stack by hand.');
    expect(r.calls.filter((c) => c.state === 'DescribeReplication')).toHaveLength(40);
  });

  test('permissions: StopReplication on this configuration only; DescribeReplications (no resource-level permission) on "*"; the delete state machine only', async () => {
    // the whole policy of the delete state machine's role: the AccessModel's ARN matcher does not
    // recognise DMS ARNs (arn:...:replication-config:<id>), so the DMS statements are asserted as written
    const policies = Object.values<any>(template.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles).includes(id(stack, expiry.deleteStateMachine.role)));
    expect(policies).toHaveLength(1);
    const stackId = { Ref: 'AWS::StackId' };
    expect(policies[0].Properties.PolicyDocument.Statement).toEqual([
      { Action: 'cloudformation:DescribeStacks', Effect: 'Allow', Resource: stackId },
      { Action: 'cloudformation:DeleteStack', Effect: 'Allow', Resource: stackId },
      { Action: 'dms:DescribeReplications', Effect: 'Allow', Resource: '*' },
      { Action: 'dms:StopReplication', Effect: 'Allow', Resource: stack.resolve(stack.stopReplication!.replicationConfigArn) },
      { Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets'], Effect: 'Allow', Resource: '*' },
    ]);
    // no other policy of the stack grants dms:StopReplication
    const stoppers = Object.entries<any>(template.toJSON().Resources)
      .filter(([, r]) => ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy'].includes(r.Type) && JSON.stringify(r.Properties.PolicyDocument).includes('dms:StopReplication'));
    expect(stoppers.map(([k]) => k)).toEqual([id(stack, expiry.deleteStateMachine.role.node.tryFindChild('DefaultPolicy')!)]);
    // DescribeReplications ("*"): the delete state machine may, nobody else
    const access = AccessModel.of(stack);
    const sm = expiry.deleteStateMachine.role.roleArn;
    await access.expectAllowed({ principal: sm, action: 'dms:DescribeReplications', resource: '*' });
    await access.expectDenied(
      { principal: expiry.armStateMachine.role.roleArn, action: 'dms:DescribeReplications', resource: '*' },
      { principal: Principals.strangerInAccount(), action: 'dms:DescribeReplications', resource: '*' },
      { ...Principals.otherAccountAdmin(), action: 'dms:DescribeReplications', resource: '*' },
    );
    expect(filters[0].Values).toEqual([configArn]);
  });

  test('cdk-nag: the "*" of dms:DescribeReplications is acknowledged with its reason on the delete state machine\'s role', () => {
    const lab = testApp({ sandbox: true, context: { 'cdc-lab-source': 'true', 'analytics-patterns:sandbox-ttl-hours': '4' } });
    const report = expectNagClean(new ChangeDataCaptureLakeStack(lab, 'ChangeDataCaptureLake'));
    expect(acknowledgementLines(report, 'ChangeDataCaptureLake/SandboxLifetime/').filter((l) => l.includes('Expiry/DeleteRole/') && l.startsWith('AwsSolutions-IAM5'))).toEqual([
      'AwsSolutions-IAM5[Resource::*] at Expiry/DeleteRole/DefaultPolicy/Resource: [SandboxExpiry at ChangeDataCaptureLake/SandboxLifetime/Expiry] '
      + 'Step Functions X-Ray tracing actions (xray:PutTraceSegments and friends) only support Resource "*". dms:DescribeReplications (the sandbox delete '
      + 'state machine waits for the DMS Serverless replication to stop) supports no resource-level permission; the call filters on this stack\'s replication configuration ARN.',
    ]);
  });

  test('every resource outside the expiry depends on the delete state machine (deleted last), without a cycle', () => {
    const t = template.toJSON();
    const sm = id(stack, expiry.deleteStateMachine);
    const replication = id(stack, stack.replication.replication);
    expect([t.Resources[replication].DependsOn].flat()).toContain(sm);
    expect([t.Resources[id(stack, stack.labSource!.cluster)].DependsOn].flat()).toContain(sm);
    expect(cycleIn(t)).toEqual([]);
  });
});
