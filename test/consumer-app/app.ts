/**
 * A user's own CDK app, outside the monorepo: it installs the packed @analytics-patterns
 * packages (test/consumer.test.ts copies this file into a throw-away folder), composes them
 * with resources it already has (imported VPC, buckets, keys, stream, secret) and two instances
 * of one pattern in one stack, and synthesizes with cdk-nag. Compiled with `strict`; handler.ts
 * (a custom stream-consumer handler on the published runtime entry point) is compiled with it.
 */
import * as path from 'path';
import { AnalyticsWorkgroup, RedshiftColumnType, RedshiftWarehouse, StagingUpsert } from '@analytics-patterns/analysis';
import { DatabaseReplication, SecureQueue, SourceEngine, StreamConsumer, StreamIngestion, TimeGranularity } from '@analytics-patterns/collection';
import { CustomerManagedPolicies, NagPackName, Sandbox } from '@analytics-patterns/core';
import { DataLakeCrawler, LakePrincipal, SecureDataLake } from '@analytics-patterns/processing';
import { DataKey } from '@analytics-patterns/security';
import { ColumnType, DataLakeDatabase, DataLakeTable, SecureBucket, TableFormat } from '@analytics-patterns/storage';
import { AthenaDataset, DatasetColumnType } from '@analytics-patterns/visualization';
import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';

const packs = (process.env.NAG_PACKS ?? Object.values(NagPackName).join(',')).split(',');
const app = new App({ outdir: process.env.CDK_OUTDIR ?? path.join(__dirname, 'cdk.out') });
const plugins = {
  [NagPackName.AWS_SOLUTIONS]: () => new AwsSolutionsChecks(app),
  [NagPackName.NIST_800_53_R5]: () => new NIST80053R5Checks(app),
  [NagPackName.HIPAA_SECURITY]: () => new HIPAASecurityChecks(app),
  [NagPackName.PCI_DSS_321]: () => new PCIDSS321Checks(app),
};
Validations.of(app).addPlugins(...packs.map((p) => plugins[p as NagPackName]()));

// The user's existing stack and resources: nothing here is created by the library. A regulated
// user: every identity policy, the library's and their own, is a customer-managed policy.
CustomerManagedPolicies.enable(app);
const stack = new Stack(app, 'ExistingPlatform', { env: { account: '111122223333', region: 'eu-central-1' } });
CustomerManagedPolicies.apply(stack);
const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
  vpcId: 'vpc-0123456789abcdef0',
  availabilityZones: ['eu-central-1a', 'eu-central-1b'],
  privateSubnetIds: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0bbbbbbbbbbbbbbb2'],
});
const key = kms.Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:eu-central-1:111122223333:key/11111111-2222-3333-4444-555555555555');
const bucket = s3.Bucket.fromBucketAttributes(stack, 'Lake', { bucketName: 'existing-lake-111122223333', encryptionKey: key });
const stream = kinesis.Stream.fromStreamAttributes(stack, 'Stream', {
  streamArn: 'arn:aws:kinesis:eu-central-1:111122223333:stream/existing-events',
  encryptionKey: key,
});

// Two instances of one pattern in one stack, on the imported stream and bucket.
for (const [id, prefix] of [['Clicks', 'clicks/'], ['Orders', 'orders/']]) {
  new StreamIngestion(stack, id, {
    existingStream: stream,
    existingBucket: bucket,
    encryptionKey: key,
    prefix,
    partitioning: { fields: [{ name: 'event_type' }], timeGranularity: TimeGranularity.HOUR },
    bufferingInterval: Duration.seconds(120),
  });
}

// A consumer of the imported stream: its Lambda handler ships pre-built in the package.
new StreamConsumer(stack, 'Consumer', { stream, encryptionKey: key });
new SecureQueue(stack, 'Alerts', { encryptionKey: key });

// Library-created resources next to the imported ones.
const dataKey = new DataKey(stack, 'DataKey');
new SecureBucket(stack, 'Curated', { encryptionKey: dataKey.key });

// The imported lake, catalogued, crawled and queried.
const database = new DataLakeDatabase(stack, 'Catalog', { databaseName: 'existing_lake' });
const clicks = new DataLakeTable(stack, 'ClicksTable', {
  database,
  tableName: 'clicks',
  format: TableFormat.JSON,
  columns: [{ name: 'event_type', type: ColumnType.STRING }, { name: 'user_id', type: ColumnType.STRING }],
  bucket,
  prefix: 'clicks/',
});
new DataLakeCrawler(stack, 'OrdersCrawler', { database, targets: [{ bucket, prefix: 'orders/' }] });
const workgroup = new AnalyticsWorkgroup(stack, 'Analysts', { workgroupName: 'existing-lake-analysts', encryptionKey: key, namedQueries: [] });
workgroup.grantQuery(new iam.Role(stack, 'Analyst', { assumedBy: new iam.AccountRootPrincipal() }), { tables: [clicks] });

// Lake Formation governance of the imported lake bucket and the catalog above.
new SecureDataLake(stack, 'Governance', {
  admins: [LakePrincipal.fromArn('arn:aws:iam::111122223333:role/DataLakeAdmin')],
  bucket,
  locationPrefix: 'clicks',
  existingDatabases: [database],
});

// A QuickSight dataset over the imported lake, queried through the workgroup.
new AthenaDataset(stack, 'ClicksDataset', {
  name: 'Clicks',
  workGroupName: workgroup.workgroupName,
  resultsBucket: workgroup.resultsBucket,
  resultsPrefix: workgroup.resultsPrefix,
  table: {
    databaseName: 'existing_lake',
    tableName: 'clicks',
    columns: [{ name: 'event_type', type: DatasetColumnType.STRING }, { name: 'user_id', type: DatasetColumnType.STRING }],
    dataBucket: bucket,
    dataPrefix: 'clicks/',
    encryptionKey: key,
  },
  ownerArns: ['arn:aws:quicksight:eu-central-1:111122223333:group/default/analysts-admins'],
});

// Change data capture from the user's database into the imported lake, in the imported VPC.
const sourceSecret = secretsmanager.Secret.fromSecretCompleteArn(stack, 'ShopSecret',
  'arn:aws:secretsmanager:eu-central-1:111122223333:secret:shop-db-AbCdEf');
new DatabaseReplication(stack, 'ShopReplication', {
  vpc,
  engine: SourceEngine.POSTGRES,
  databaseName: 'shop',
  sourceSecret,
  tables: [{ schema: 'public', table: 'orders' }],
  targetBucket: bucket,
  targetPrefix: 'cdc/',
});

// A warehouse in the imported VPC, loaded exactly once from the user's imported staging bucket
// (its own key) when a manifest lands there (the user's bucket sends events to EventBridge).
const stagingKey = kms.Key.fromKeyArn(stack, 'StagingKey', 'arn:aws:kms:eu-central-1:111122223333:key/66666666-7777-8888-9999-000000000000');
const staging = s3.Bucket.fromBucketAttributes(stack, 'Staging', { bucketName: 'existing-staging-111122223333', encryptionKey: stagingKey });
const warehouse = new RedshiftWarehouse(stack, 'Warehouse', { vpc, loadBuckets: [staging] });
new StagingUpsert(stack, 'OrdersUpsert', {
  warehouse,
  table: {
    schemaName: 'sales',
    tableName: 'fact_orders',
    columns: [
      { name: 'order_id', type: RedshiftColumnType.varchar(64), nullable: false },
      { name: 'updated_at', type: RedshiftColumnType.timestamp() },
    ],
    keyColumns: ['order_id'],
  },
  orderColumn: 'updated_at',
  sourceBucket: staging,
  manifestPrefix: 'manifests/orders/',
});

// The user's own resource that breaks rules the library acknowledges for its resources
// (bucket replication, SSE-KMS, ...): those acknowledgements must not hide its findings.
if (process.env.USER_OWN_FINDINGS === 'true') {
  new s3.Bucket(stack, 'UserOwnBucket');
}

export const consumerFacts = { sandbox: Sandbox.isEnabled(app) };
app.synth();
