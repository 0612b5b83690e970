import { DataLakeDatabase, SecureBucket } from '@analytics-patterns/storage';
import {
  AccessModel, expectNagClean, expectParameterUsed, expectPropError, logicalId as id, OTHER_ACCOUNT, Principals, stringParameter,
  testStack,
} from '@analytics-patterns/testing';
import { Stack, TimeZone } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { CrawlerDeleteBehavior, CrawlerUpdateBehavior, DataLakeCrawler, DataLakeCrawlerProps, GlueSecurityConfiguration, RecrawlBehavior } from '../src';

function crawler(stack: Stack, overrides: Partial<DataLakeCrawlerProps> = {}): { crawler: DataLakeCrawler; raw: SecureBucket } {
  const raw = new SecureBucket(stack, 'Raw');
  const database = new DataLakeDatabase(stack, 'Db', { databaseName: 'clickstream' });
  return {
    raw,
    crawler: new DataLakeCrawler(stack, 'Crawler', {
      database, targets: [{ bucket: raw.bucket, prefix: 'events/', exclusions: ['**/_temporary/**'] }], crawlerName: 'events-crawler', ...overrides,
    }),
  };
}

describe('DataLakeCrawler', () => {
  test('crawler: partitioned target, schedule, schema-change policy, grouping, security configuration', () => {
    const stack = testStack();
    const { crawler: c, raw } = crawler(stack, { schedule: scheduler.ScheduleExpression.expression('cron(15 * * * ? *)') });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::Glue::Crawler', {
      Name: 'events-crawler',
      Role: { 'Fn::GetAtt': [id(stack, c.role), 'Arn'] },
      DatabaseName: 'clickstream',
      Targets: { S3Targets: [{ Path: { 'Fn::Join': ['', ['s3://', { Ref: id(stack, raw.bucket) }, '/events/']] }, Exclusions: ['**/_temporary/**'] }] },
      Schedule: { ScheduleExpression: 'cron(15 * * * ? *)' },
      SchemaChangePolicy: { UpdateBehavior: 'UPDATE_IN_DATABASE', DeleteBehavior: 'LOG' },
      RecrawlPolicy: { RecrawlBehavior: 'CRAWL_EVERYTHING' },
      CrawlerSecurityConfiguration: c.securityConfiguration.securityConfigurationName,
    });
    const props = Object.values(t.findResources('AWS::Glue::Crawler'))[0] as any;
    expect(JSON.parse(props.Properties.Configuration)).toEqual({
      Version: 1, Grouping: { TableGroupingPolicy: 'CombineCompatibleSchemas' }, CrawlerOutput: { Partitions: { AddOrUpdateBehavior: 'InheritFromTable' } },
    });
    expect(props.DependsOn).toEqual(expect.arrayContaining([id(stack, c.policy), id(stack, c.securityConfiguration.resource), id(stack, stack.node.findChild('Db').node.findChild('Database'))]));
    expect(c.crawlerArn).toContain(':crawler/events-crawler');
  });

  test('security configuration encrypts logs, bookmarks and S3 output with the bucket CMK', () => {
    const stack = testStack();
    const { crawler: c, raw } = crawler(stack);
    const keyArn = { 'Fn::GetAtt': [id(stack, raw.encryptionKey), 'Arn'] };
    Template.fromStack(stack).hasResourceProperties('AWS::Glue::SecurityConfiguration', {
      Name: c.securityConfiguration.securityConfigurationName,
      EncryptionConfiguration: {
        CloudWatchEncryption: { CloudWatchEncryptionMode: 'SSE-KMS', KmsKeyArn: keyArn },
        JobBookmarksEncryption: { JobBookmarksEncryptionMode: 'CSE-KMS', KmsKeyArn: keyArn },
        S3Encryptions: [{ S3EncryptionMode: 'SSE-KMS', KmsKeyArn: keyArn }],
      },
    });
    // CloudWatch Logs may use the key for the encrypted crawler logs
    Template.fromStack(stack).hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'AllowCloudWatchLogsEncryption', Principal: { Service: 'logs.eu-west-1.amazonaws.com' } })]) },
    });
  });

  test('least-privilege role: no managed policy, exact actions scoped to the prefix, database and key', () => {
    const stack = testStack();
    const { crawler: c, raw } = crawler(stack);
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'glue.amazonaws.com' } }] },
      ManagedPolicyArns: Match.absent(),
    });
    const bucketArn = { 'Fn::GetAtt': [id(stack, raw.bucket), 'Arn'] };
    t.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: id(stack, c.role) }],
      PolicyDocument: {
        Statement: [
          {
            Sid: 'CatalogTables',
            Effect: 'Allow',
            Action: [
              'glue:GetDatabase', 'glue:GetTable', 'glue:GetTables', 'glue:CreateTable', 'glue:UpdateTable',
              'glue:GetPartition', 'glue:GetPartitions', 'glue:BatchGetPartition', 'glue:CreatePartition',
              'glue:BatchCreatePartition', 'glue:UpdatePartition', 'glue:BatchUpdatePartition',
            ],
            Resource: [
              'arn:aws:glue:eu-west-1:123456789012:catalog',
              'arn:aws:glue:eu-west-1:123456789012:database/clickstream',
              'arn:aws:glue:eu-west-1:123456789012:table/clickstream/*',
            ],
          },
          { Sid: 'ListTarget0', Effect: 'Allow', Action: 's3:ListBucket', Resource: bucketArn, Condition: { StringLike: { 's3:prefix': ['events/', 'events/*'] } } },
          { Sid: 'ReadTarget0', Effect: 'Allow', Action: 's3:GetObject', Resource: { 'Fn::Join': ['', [bucketArn, '/events/*']] } },
          {
            Sid: 'DecryptTargets',
            Effect: 'Allow',
            Action: 'kms:Decrypt',
            Resource: { 'Fn::GetAtt': [id(stack, raw.encryptionKey), 'Arn'] },
            Condition: { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } },
          },
          {
            Sid: 'GlueLogs',
            Effect: 'Allow',
            Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:AssociateKmsKey'],
            Resource: 'arn:aws:logs:eu-west-1:123456789012:log-group:/aws-glue/crawlers*',
          },
        ],
      },
    });
  });

  test('delete behavior DELETE_FROM_DATABASE adds the delete actions; table prefix narrows table ARNs; Lake Formation access', () => {
    const stack = testStack();
    crawler(stack, { deleteBehavior: CrawlerDeleteBehavior.DELETE_FROM_DATABASE, tablePrefix: 'raw_', lakeFormationGoverned: true });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: Match.arrayWith(['glue:DeleteTable', 'glue:BatchDeleteTable', 'glue:DeletePartition', 'glue:BatchDeletePartition']),
            Resource: Match.arrayWith(['arn:aws:glue:eu-west-1:123456789012:table/clickstream/raw_*']),
          }),
          { Sid: 'LakeFormationDataAccess', Effect: 'Allow', Action: 'lakeformation:GetDataAccess', Resource: '*' },
        ]),
      },
    });
    t.hasResourceProperties('AWS::Glue::Crawler', { TablePrefix: 'raw_', SchemaChangePolicy: { DeleteBehavior: 'DELETE_FROM_DATABASE' } });
  });

  test('GlueSecurityConfiguration.addUseStatements adds to the given policy and returns what it added', () => {
    const stack = testStack();
    const security = new GlueSecurityConfiguration(stack, 'Security', { securityConfigurationName: 'lake-security' });
    const policy = new iam.Policy(stack, 'JobPolicy', { roles: [new iam.Role(stack, 'JobRole', { assumedBy: new iam.ServicePrincipal('glue.amazonaws.com') })] });
    const logs = 'arn:aws:logs:eu-west-1:123456789012:log-group:/aws-glue/jobs*';
    const glueLogs = { Sid: 'GlueLogs', Effect: 'Allow', Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:AssociateKmsKey'], Resource: logs };
    const bookmarks = {
      Sid: 'EncryptedJobBookmarks',
      Effect: 'Allow',
      Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: { 'Fn::GetAtt': [id(stack, security.encryptionKey), 'Arn'] },
    };
    const added = security.addUseStatements(policy, 'jobs', true);
    expect(added.map((st) => stack.resolve(st.toStatementJson()))).toEqual([glueLogs, bookmarks]);
    expect(Template.fromStack(stack).toJSON().Resources[id(stack, policy)].Properties.PolicyDocument.Statement).toEqual([glueLogs, bookmarks]);
    expect(security.addUseStatements(new iam.Policy(stack, 'CrawlerPolicy'), 'crawlers', false)).toHaveLength(1);
  });

  test('incremental crawl with LOG/LOG; existing security configuration and imported bucket', () => {
    const stack = testStack();
    const security = new GlueSecurityConfiguration(stack, 'Security', { securityConfigurationName: 'lake-security' });
    const database = DataLakeDatabase.fromDatabaseName(stack, 'Db', 'sales');
    const c = new DataLakeCrawler(stack, 'Crawler', {
      database,
      targets: [{ bucket: s3.Bucket.fromBucketName(stack, 'B', 'sales-raw'), prefix: 'orders/' }],
      recrawlBehavior: RecrawlBehavior.CRAWL_NEW_FOLDERS_ONLY,
      updateBehavior: CrawlerUpdateBehavior.LOG,
      deleteBehavior: CrawlerDeleteBehavior.LOG,
      securityConfiguration: security,
      combineCompatibleSchemas: false,
    });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::Glue::Crawler', {
      CrawlerSecurityConfiguration: 'lake-security',
      RecrawlPolicy: { RecrawlBehavior: 'CRAWL_NEW_FOLDERS_ONLY' },
      SchemaChangePolicy: { UpdateBehavior: 'LOG', DeleteBehavior: 'LOG' },
      Targets: { S3Targets: [{ Path: 's3://sales-raw/orders/' }] },
      Configuration: Match.absent(),
    });
    t.resourceCountIs('AWS::Glue::SecurityConfiguration', 1);
    expect(c.securityConfiguration).toBe(security);
    expect(c.targetPaths).toEqual(['s3://sales-raw/orders/']);
    // no key on an imported bucket: no decrypt statement
    expect(JSON.stringify(t.findResources('AWS::IAM::Policy'))).not.toContain('DecryptTargets');
  });

  test('cdk-nag clean (acknowledged wildcards only), also in an environment-agnostic stack', () => {
    const agnostic = testStack();
    const app = agnostic.node.scope as any;
    crawler(new Stack(app, 'Agnostic'));
    expectNagClean(agnostic);
  });

  test('cdk-nag clean (acknowledged wildcards only)', () => {
    const stack = testStack();
    crawler(stack, { lakeFormationGoverned: true });
    const report = expectNagClean(stack);
    expect(report.acknowledged.filter((a) => a.path.includes('Crawler/Policy')).map((a) => a.rule)).toEqual(
      expect.arrayContaining([expect.stringContaining('AwsSolutions-IAM5')]),
    );
  });

  test('each target prefix\'s object wildcard is acknowledged once on the policy, with a reason naming that prefix', () => {
    const stack = testStack();
    const raw = new SecureBucket(stack, 'Raw');
    new DataLakeCrawler(stack, 'Crawler', {
      database: new DataLakeDatabase(stack, 'Db', { databaseName: 'clickstream' }),
      targets: [{ bucket: raw.bucket, prefix: 'events/' }, { bucket: raw.bucket, prefix: 'clicks/' }],
    });
    const objects = expectNagClean(stack).acknowledged
      .filter((a) => a.pack === 'AwsSolutions' && a.path === 'TestStack/Crawler/Policy/Resource' && /Raw.*\/(events|clicks)\/\*/.test(a.rule));
    expect(objects.map((a) => a.reason).sort()).toEqual([
      '[DataLakeCrawler at TestStack/Crawler] The crawler reads every object under the target prefix clicks/ (new partitions arrive continuously); the wildcard stops at that prefix.',
      '[DataLakeCrawler at TestStack/Crawler] The crawler reads every object under the target prefix events/ (new partitions arrive continuously); the wildcard stops at that prefix.',
    ]);
  });

  describe('validation', () => {
    const path = 'TestStack/Crawler';
    test('no targets', () => {
      expectPropError(() => crawler(testStack(), { targets: [] }), { path, prop: 'targets', allowed: '1-100 entries' });
    });
    test('target prefix without trailing slash', () => {
      const stack = testStack();
      expectPropError(() => crawler(stack, { targets: [{ bucket: s3.Bucket.fromBucketName(stack, 'X', 'xxx'), prefix: 'events' }] }), {
        path, prop: 'targets[0].prefix', value: '"events"', allowed: 'each ending with "/"',
      });
    });
    test('target prefix inside the partitions', () => {
      const stack = testStack();
      expectPropError(() => crawler(stack, { targets: [{ bucket: s3.Bucket.fromBucketName(stack, 'X', 'xxx'), prefix: 'events/year=2024/' }] }), {
        path, prop: 'targets[0].prefix', value: '"events/year=2024/"', allowed: 'ABOVE the partition folders',
      });
    });
    const cron = (e: string, zone?: TimeZone) => scheduler.ScheduleExpression.expression(e, zone);
    test('schedule with five fields', () => {
      const msg = expectPropError(() => crawler(testStack(), { schedule: cron('cron(0 * * * ?)') }), {
        path, prop: 'schedule', value: '"cron(0 * * * ?) in Etc/UTC"', allowed: 'cron(minutes hours day-of-month month day-of-week year)',
      });
      expect(msg).toContain('needs 6 fields');
    });
    test('schedule more often than every 5 minutes (Glue\'s minimum); every 5 minutes is accepted', () => {
      for (const e of ['cron(0/2 * * * ? *)', 'cron(0,3,30 * * * ? *)', 'cron(0/4 * * * ? *)']) {
        const msg = expectPropError(() => crawler(testStack(), { schedule: cron(e) }), { path, prop: 'schedule', allowed: 'cron(minutes hours' });
        expect(msg).toContain('the shortest interval allowed is 5 minutes');
      }
      expect(() => crawler(testStack(), { schedule: cron('cron(0/5 * * * ? *)') })).not.toThrow();
    });
    test('Glue schedules: cron only, in UTC', () => {
      expect(expectPropError(() => crawler(testStack(), { schedule: cron('rate(1 hour)') }), { path, prop: 'schedule', allowed: 'cron(' })).toContain('use cron(...)');
      expect(expectPropError(() => crawler(testStack(), { schedule: cron('cron(0 2 * * ? *)', TimeZone.EUROPE_PARIS) }), { path, prop: 'schedule', allowed: 'cron(' }))
        .toContain('UTC only');
      expect(() => crawler(testStack(), { schedule: cron('cron(0 2 * * ? *)', TimeZone.ETC_UTC) })).not.toThrow();
    });
    test('limits on both sides: 1-100 targets, table prefix and names', () => {
      const stack = testStack();
      const bucket = s3.Bucket.fromBucketName(stack, 'X', 'xxx');
      const targets = (n: number) => Array.from({ length: n }, (_, i) => ({ bucket, prefix: `t${i}/` }));
      expect(() => crawler(stack, { targets: targets(100), tablePrefix: 'p'.repeat(128), crawlerName: 'c'.repeat(255) })).not.toThrow();
      expectPropError(() => crawler(testStack(), { targets: targets(101) }), { path, prop: 'targets', allowed: '1-100 entries' });
      expectPropError(() => crawler(testStack(), { tablePrefix: 'p'.repeat(129) }), { path, prop: 'tablePrefix', allowed: '1-128 characters' });
      expectPropError(() => crawler(testStack(), { crawlerName: 'c'.repeat(256) }), { path, prop: 'crawlerName', allowed: '1-255 characters' });
      expectPropError(() => new GlueSecurityConfiguration(testStack(), 'Sec', { securityConfigurationName: 's'.repeat(256) }), {
        path: 'TestStack/Sec', prop: 'securityConfigurationName', allowed: '1-255 letters',
      });
      expect(() => new GlueSecurityConfiguration(testStack(), 'Sec', { securityConfigurationName: 's'.repeat(255) })).not.toThrow();
    });
    test('incremental crawl that updates the catalog', () => {
      expectPropError(() => crawler(testStack(), { recrawlBehavior: RecrawlBehavior.CRAWL_NEW_FOLDERS_ONLY }), {
        path, prop: 'recrawlBehavior', value: 'CRAWL_NEW_FOLDERS_ONLY with updateBehavior UPDATE_IN_DATABASE and deleteBehavior LOG', allowed: 'only with updateBehavior LOG',
      });
    });
    test('table prefix', () => {
      expectPropError(() => crawler(testStack(), { tablePrefix: 'Raw-' }), { path, prop: 'tablePrefix', value: '"Raw-"', allowed: 'lower-case' });
    });
    test('security configuration name', () => {
      expectPropError(() => new GlueSecurityConfiguration(testStack(), 'Sec', { securityConfigurationName: 'a b' }), {
        path: 'TestStack/Sec', prop: 'securityConfigurationName', value: '"a b"', allowed: '1-255 letters',
      });
    });
  });
});

describe('DataLakeCrawler run-time permissions', () => {
  const stack = testStack();
  const { crawler: c, raw } = crawler(stack, { tablePrefix: 'raw_' });
  const access = AccessModel.of(stack);
  const role = c.role.roleArn;
  const table = (name: string) => `arn:aws:glue:eu-west-1:123456789012:table/clickstream/${name}`;
  const viaS3 = { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' };
  const logGroup = `arn:aws:logs:eu-west-1:123456789012:log-group:/aws-glue/crawlers-role/${access.resolve(c.role.roleName)}-${c.securityConfiguration.securityConfigurationName}`;

  test('the crawler reads its target prefix with the bucket key, catalogs tables with its prefix in its database, logs with the security configuration key', async () => {
    await access.expectAllowed(
      { principal: 'glue.amazonaws.com', action: 'sts:AssumeRole', resource: role },
      { principal: role, action: 's3:ListBucket', resource: raw.bucket.bucketArn, context: { 's3:prefix': 'events/' } },
      { principal: role, action: 's3:GetObject', resource: raw.bucket.arnForObjects('events/year=2026/month=01/day=01/part-0.parquet') },
      { principal: role, action: 'kms:Decrypt', resource: raw.encryptionKey.keyArn, context: viaS3 },
      { principal: role, action: 'glue:GetDatabase', resource: 'arn:aws:glue:eu-west-1:123456789012:database/clickstream' },
      { principal: role, action: 'glue:CreateTable', resource: table('raw_events') },
      { principal: role, action: 'glue:BatchCreatePartition', resource: table('raw_events') },
      { principal: role, action: 'logs:AssociateKmsKey', resource: `${logGroup}:*` },
      { principal: role, action: 'logs:PutLogEvents', resource: `${logGroup}:log-stream:events` },
      { principal: 'logs.eu-west-1.amazonaws.com', action: 'kms:GenerateDataKey', resource: c.encryptionKey.keyArn, context: { 'kms:EncryptionContext:aws:logs:arn': logGroup } },
    );
  });

  test('nothing else: other prefixes, tables, databases, direct key use, deletes; strangers and other accounts', async () => {
    await access.expectDenied(
      { principal: 'lambda.amazonaws.com', action: 'sts:AssumeRole', resource: role },
      { principal: role, action: 's3:GetObject', resource: raw.bucket.arnForObjects('other/x.json') },
      { principal: role, action: 's3:PutObject', resource: raw.bucket.arnForObjects('events/x.json') },
      { principal: role, action: 's3:ListBucket', resource: raw.bucket.bucketArn, context: { 's3:prefix': 'other/' } },
      { principal: role, action: 'kms:Decrypt', resource: raw.encryptionKey.keyArn },
      { principal: role, action: 'glue:CreateTable', resource: table('events') },
      { principal: role, action: 'glue:DeleteTable', resource: table('raw_events') },
      { principal: role, action: 'glue:GetTable', resource: 'arn:aws:glue:eu-west-1:123456789012:table/sales/raw_orders' },
      { principal: Principals.strangerInAccount(), action: 's3:GetObject', resource: raw.bucket.arnForObjects('events/x.json') },
      { ...Principals.otherAccountAdmin(), action: 's3:GetObject', resource: raw.bucket.arnForObjects('events/x.json') },
      { principal: 'logs.eu-west-1.amazonaws.com', action: 'kms:GenerateDataKey', resource: c.encryptionKey.keyArn, context: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:eu-west-1:${OTHER_ACCOUNT}:log-group:x` } },
    );
    await access.expectExplicitlyDenied(
      { principal: role, action: 's3:GetObject', resource: raw.bucket.arnForObjects('events/x.json'), context: { 'aws:SecureTransport': 'false' } },
    );
  });
});

describe('DataLakeCrawler tokens, imported resources, logical ids', () => {
  test('name and table prefix as CloudFormation parameters reach the template', () => {
    const stack = testStack();
    crawler(stack, { crawlerName: stringParameter(stack, 'CrawlerName'), tablePrefix: stringParameter(stack, 'TablePrefix') });
    const template = Template.fromStack(stack);
    expectParameterUsed(template, 'CrawlerName', /Crawler/);
    expectParameterUsed(template, 'TablePrefix', /Crawler/);
    expectParameterUsed(template, 'TablePrefix', /Policy/);
  });

  test('imported bucket, key and database: four nag packs clean', () => {
    const stack = testStack();
    const key = kms.Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555');
    new DataLakeCrawler(stack, 'Crawler', {
      database: DataLakeDatabase.fromDatabaseName(stack, 'Db', 'sales'),
      targets: [{ bucket: s3.Bucket.fromBucketAttributes(stack, 'Raw', { bucketName: 'existing-raw', encryptionKey: key }), prefix: 'orders/' }],
      lakeFormationGoverned: true,
    });
    expectNagClean(stack);
  });

  test('the crawler, its security configuration and key keep their logical ids', () => {
    const stack = testStack();
    crawler(stack, { encryptionKey: undefined });
    new DataLakeCrawler(stack, 'Second', {
      database: DataLakeDatabase.fromDatabaseName(stack, 'Db2', 'sales'),
      targets: [{ bucket: s3.Bucket.fromBucketName(stack, 'Plain', 'plain'), prefix: 'orders/' }],
    });
    const ids = Object.entries<any>(Template.fromStack(stack).toJSON().Resources)
      .filter(([, r]) => /Glue::Crawler|Glue::SecurityConfiguration|KMS::Key/.test(r.Type)).map(([logicalId]) => logicalId).sort();
    expect(ids).toEqual([
      'CrawlerA942B6C5', 'CrawlerSecurityConfiguration29EFF96E', 'RawKeyCAD378B7',
      'SecondCrawlerB708656F', 'SecondSecurityConfigurationD3667C1C', 'SecondSecurityConfigurationKey6D486AC5',
    ]);
  });
});
