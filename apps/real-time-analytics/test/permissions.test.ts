import { SearchDomain } from '@analytics-patterns/analysis';
import { AccessModel, OTHER_ACCOUNT, Principals, TEST_ENV } from '@analytics-patterns/testing';
import { build } from './fixtures';

/**
 * Run-time permissions of the app-level wiring (who calls what across constructs), evaluated
 * on the synthesized template with identity, resource and key policies together. Each
 * construct's own tests cover its internals; these cover what the app connects: the IoT rule
 * into the Telemetry stream, the Flink job from Telemetry to Results, Firehose from Results into
 * OpenSearch and the failed-documents prefix, the consumer into the device state table and the
 * alert queue, and the learner reading the results.
 *
 * What they cannot prove: OpenSearch fine-grained access control inside the domain (the role
 * mapping of the Firehose role is a lab step), what the services actually send at run time,
 * and SCPs of an organization.
 */
const { account: ACCOUNT, region: REGION } = TEST_ENV;
const { stack } = build();
const access = AccessModel.of(stack);
const key = stack.encryptionKey.keyArn;
const telemetry = stack.telemetry.streamArn;
const results = stack.results.stream.streamArn;
const via = (service: string) => ({ 'kms:ViaService': `${service}.${REGION}.amazonaws.com` });
const plainHttp = { 'aws:SecureTransport': 'false' };
const domainArn = () => access.resolve(stack.search.domain.domainArn) as string;
/** A person of this account allowed everything by their identity policy (the learner). */
const learner = {
  principal: `arn:aws:iam::${ACCOUNT}:role/Learner`,
  identityPolicies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }],
};

describe('devices -> IoT rule -> Telemetry stream', () => {
  const role = stack.deviceRule.role.roleArn;
  const ruleArn = `arn:aws:iot:${REGION}:${ACCOUNT}:rule/real_time_analytics_telemetry`;

  test('the rules engine assumes the rule role for this rule of this account only', async () => {
    await access.expectAllowed({ principal: 'iot.amazonaws.com', action: 'sts:AssumeRole', resource: role, context: { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': ruleArn } });
    await access.expectDenied(
      { principal: 'iot.amazonaws.com', action: 'sts:AssumeRole', resource: role, context: { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': `arn:aws:iot:${REGION}:${ACCOUNT}:rule/other` } },
      { principal: 'iot.amazonaws.com', action: 'sts:AssumeRole', resource: role, context: { 'aws:SourceAccount': OTHER_ACCOUNT, 'aws:SourceArn': ruleArn.replace(ACCOUNT, OTHER_ACCOUNT) } },
    );
  });

  test('the rule role puts into Telemetry with the key through Kinesis, and cannot write the Results stream the job owns', async () => {
    await access.expectAllowed(
      { principal: role, action: 'kinesis:PutRecord', resource: telemetry },
      { principal: role, action: 'kms:GenerateDataKey', resource: key, context: via('kinesis') },
    );
    await access.expectDenied(
      { principal: role, action: 'kinesis:PutRecord', resource: results },
      { principal: role, action: 'kinesis:GetRecords', resource: telemetry },
      { principal: role, action: 'kms:Decrypt', resource: key, context: via('kinesis') },
    );
  });
});

describe('Telemetry -> Managed Flink -> Results', () => {
  const role = stack.analytics.role.roleArn;
  const appArn = `arn:aws:kinesisanalytics:${REGION}:${ACCOUNT}:application/RealTimeAnalytics-device-analytics`;
  const code = () => `arn:aws:s3:::cdk-hnb659fds-assets-${ACCOUNT}-${REGION}/${stack.flinkJob.asset.s3ObjectKey}`;

  test('the service assumes the execution role for this application only', async () => {
    await access.expectAllowed({ principal: 'kinesisanalytics.amazonaws.com', action: 'sts:AssumeRole', resource: role, context: { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': appArn } });
    await access.expectDenied(
      { principal: 'kinesisanalytics.amazonaws.com', action: 'sts:AssumeRole', resource: role, context: { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': `${appArn}-copy` } },
      { principal: 'kinesisanalytics.amazonaws.com', action: 'sts:AssumeRole', resource: role, context: { 'aws:SourceAccount': OTHER_ACCOUNT, 'aws:SourceArn': appArn.replace(ACCOUNT, OTHER_ACCOUNT) } },
    );
  });

  test('the job reads its zip, reads Telemetry and writes Results with the key; it cannot write its input or read its output', async () => {
    await access.expectAllowed(
      { principal: role, action: 's3:GetObject', resource: code() },
      { principal: role, action: 'kinesis:GetShardIterator', resource: telemetry },
      { principal: role, action: 'kinesis:GetRecords', resource: telemetry },
      { principal: role, action: 'kinesis:ListShards', resource: telemetry },
      { principal: role, action: 'kms:Decrypt', resource: key, context: via('kinesis') },
      { principal: role, action: 'kinesis:PutRecords', resource: results },
      { principal: role, action: 'kinesis:PutRecord', resource: results },
      { principal: role, action: 'kms:GenerateDataKey', resource: key, context: via('kinesis') },
    );
    await access.expectDenied(
      { principal: role, action: 'kinesis:PutRecords', resource: telemetry },
      { principal: role, action: 'kinesis:GetRecords', resource: results },
      { principal: role, action: 's3:GetObject', resource: `arn:aws:s3:::cdk-hnb659fds-assets-${ACCOUNT}-${REGION}/other.zip` },
      { principal: role, action: 'dynamodb:UpdateItem', resource: stack.deviceState.table.tableArn },
    );
  });

  test('Managed Flink may use the key for this application\'s state only (encryption context)', async () => {
    const context = { 'kms:EncryptionContext:aws:kinesisanalytics:arn': appArn, 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': appArn };
    await access.expectAllowed(
      { principal: 'kinesisanalytics.amazonaws.com', action: 'kms:GenerateDataKey', resource: key, context },
      { principal: 'kinesisanalytics.amazonaws.com', action: 'kms:Decrypt', resource: key, context: { 'kms:EncryptionContext:aws:kinesisanalytics:arn': appArn } },
    );
    await access.expectDenied({
      principal: 'kinesisanalytics.amazonaws.com',
      action: 'kms:GenerateDataKey',
      resource: key,
      context: { ...context, 'kms:EncryptionContext:aws:kinesisanalytics:arn': `${appArn}-copy`, 'aws:SourceArn': `${appArn}-copy` },
    });
  });
});

describe('Results -> Firehose -> OpenSearch (and refused documents to S3)', () => {
  const role = stack.results.deliveryRole.roleArn;

  test('Firehose reads Results and indexes into device-metrics-* through _bulk; other indices, deletes and searches are refused', async () => {
    await access.expectAllowed(
      { principal: role, action: 'kinesis:GetRecords', resource: results },
      { principal: role, action: 'kms:Decrypt', resource: key, context: via('kinesis') },
      { principal: role, action: 'es:ESHttpPost', resource: `${domainArn()}/_bulk` },
      { principal: role, action: 'es:ESHttpPut', resource: `${domainArn()}/device-metrics-2026-11-29` },
      { principal: role, action: 'es:ESHttpGet', resource: `${domainArn()}/_cluster/stats` },
    );
    await access.expectDenied(
      { principal: role, action: 'es:ESHttpPut', resource: `${domainArn()}/other-index` },
      { principal: role, action: 'es:ESHttpDelete', resource: `${domainArn()}/device-metrics-2026-11-29` },
      { principal: role, action: 'es:ESHttpGet', resource: `${domainArn()}/device-metrics-2026-11-29/_search` },
      { principal: role, action: 'kinesis:GetRecords', resource: telemetry },
    );
  });

  test('refused documents land under opensearch-failed/ (or errors/opensearch-failed/) with the key through S3, not elsewhere, never over plain HTTP', async () => {
    const bucket = stack.results.bucket;
    const context = { ...via('s3'), 'kms:EncryptionContext:aws:s3:arn': access.resolve(bucket.bucketArn) };
    await access.expectAllowed(
      { principal: role, action: 's3:PutObject', resource: bucket.arnForObjects('opensearch-failed/2026/11/29/10/doc.gz') },
      { principal: role, action: 's3:PutObject', resource: bucket.arnForObjects('errors/opensearch-failed/OpenSearchFailure/doc.gz') },
      { principal: role, action: 'kms:GenerateDataKey', resource: key, context },
    );
    await access.expectDenied(
      { principal: role, action: 's3:PutObject', resource: bucket.arnForObjects('elsewhere/doc.gz') },
    );
    await access.expectExplicitlyDenied(
      { principal: role, action: 's3:PutObject', resource: bucket.arnForObjects('opensearch-failed/x.gz'), context: plainHttp },
    );
  });
});

describe('Results -> StreamConsumer -> device state table and alert queue', () => {
  const role = stack.consumer.role.roleArn;
  const table = stack.deviceState.table.tableArn;
  const queue = stack.alerts.queue.queueArn;

  test('the consumer reads Results, updates device state with the key through DynamoDB and sends alerts with the key through SQS', async () => {
    await access.expectAllowed(
      { principal: 'lambda.amazonaws.com', action: 'sts:AssumeRole', resource: role },
      { principal: role, action: 'kinesis:GetRecords', resource: results },
      { principal: role, action: 'kms:Decrypt', resource: key, context: via('kinesis') },
      { principal: role, action: 'dynamodb:UpdateItem', resource: table },
      { principal: role, action: 'kms:GenerateDataKey', resource: key, context: via('dynamodb') },
      { principal: role, action: 'kms:Decrypt', resource: key, context: via('dynamodb') },
      { principal: role, action: 'sqs:SendMessage', resource: queue },
      { principal: role, action: 'kms:GenerateDataKey', resource: key, context: via('sqs') },
    );
  });

  test('…and nothing more: no reads, deletes or scans of the state, no receiving alerts, no other table, no plain HTTP', async () => {
    await access.expectDenied(
      { principal: role, action: 'dynamodb:GetItem', resource: table },
      { principal: role, action: 'dynamodb:DeleteItem', resource: table },
      { principal: role, action: 'dynamodb:Scan', resource: table },
      { principal: role, action: 'dynamodb:PutItem', resource: table },
      { principal: role, action: 'dynamodb:UpdateItem', resource: stack.consumer.seenTable.tableArn },
      { principal: role, action: 'sqs:ReceiveMessage', resource: queue },
      { principal: role, action: 'sqs:SendMessage', resource: stack.consumer.deadLetterQueue.queueArn.replace(/.*/, `arn:aws:sqs:${REGION}:${ACCOUNT}:other`) },
      { principal: role, action: 'kinesis:PutRecord', resource: results },
      { principal: role, action: 'dynamodb:UpdateItem', resource: table, context: plainHttp },
    );
    await access.expectExplicitlyDenied({ principal: role, action: 'sqs:SendMessage', resource: queue, context: plainHttp });
  });

  test('its seen set over TLS only, and the shared app key for its on-failure queue only through SQS', async () => {
    const seen = stack.consumer.seenTable.tableArn;
    const failures = stack.consumer.deadLetterQueue.queueArn;
    await access.expectAllowed(
      { principal: role, action: 'dynamodb:BatchGetItem', resource: seen },
      { principal: role, action: 'dynamodb:BatchWriteItem', resource: seen },
      { principal: role, action: 'sqs:SendMessage', resource: failures },
      { principal: role, action: 'kms:Decrypt', resource: key, context: via('sqs') },
    );
    await access.expectDenied(
      { principal: role, action: 'dynamodb:BatchGetItem', resource: seen, context: plainHttp },
      { principal: role, action: 'dynamodb:BatchWriteItem', resource: seen, context: plainHttp },
      // the app key also protects the streams, bucket and domain: the on-failure queue grant adds no direct use
      // (kms:Decrypt without kms:ViaService comes from Lambda's Kinesis event source, reading the Results stream)
      { principal: role, action: 'kms:GenerateDataKey', resource: key },
      { principal: role, action: 'kms:Encrypt', resource: key },
      { principal: role, action: 'kms:Encrypt', resource: key, context: via('sqs') },
      { principal: role, action: 'kms:ReEncryptFrom', resource: key, context: via('sqs') },
      { principal: role, action: 'kms:GenerateDataKey', resource: key, context: via('s3') },
    );
    await access.expectExplicitlyDenied({ principal: role, action: 'sqs:SendMessage', resource: failures, context: plainHttp });
  });
});

describe('the learner looks at the results; strangers do not', () => {
  test('a person of this account with permissions reads alerts (with the key through SQS), device state and the telemetry', async () => {
    await access.expectAllowed(
      { ...learner, action: 'sqs:ReceiveMessage', resource: stack.alerts.queue.queueArn },
      { ...learner, action: 'kms:Decrypt', resource: key, context: via('sqs') },
      { ...learner, action: 'dynamodb:Scan', resource: stack.deviceState.table.tableArn },
      { ...learner, action: 'kinesis:PutRecords', resource: telemetry },
      { ...learner, action: 'sts:AssumeRole', resource: stack.search.adminRole.roleArn, context: { [`aws:PrincipalTag/${SearchDomain.ADMIN_TAG}`]: 'true' } },
    );
    // the search master role is not for everyone who may assume roles: only tagged principals
    await access.expectDenied({ ...learner, action: 'sts:AssumeRole', resource: stack.search.adminRole.roleArn });
  });

  test('the OpenSearch master role may use the domain\'s HTTP API (the domain policy names it); FGAC decides the rest', async () => {
    const admin = stack.search.adminRole.roleArn;
    await access.expectAllowed(
      { principal: admin, action: 'es:ESHttpGet', resource: `${domainArn()}/device-metrics-*/_search` },
      { principal: admin, action: 'es:ESHttpPut', resource: `${domainArn()}/_plugins/_security/api/rolesmapping/device_metrics_writer` },
    );
  });

  test('strangers of the account, other accounts, unsigned callers and plain HTTP are refused on every data store', async () => {
    const stranger = Principals.strangerInAccount();
    const other = Principals.otherAccountAdmin();
    const stores: Array<[string, string]> = [
      ['sqs:ReceiveMessage', stack.alerts.queue.queueArn],
      ['dynamodb:GetItem', stack.deviceState.table.tableArn],
      ['dynamodb:BatchWriteItem', stack.consumer.seenTable.tableArn],
      ['sqs:ReceiveMessage', stack.consumer.deadLetterQueue.queueArn],
      ['kinesis:GetRecords', telemetry],
      ['kinesis:PutRecord', telemetry],
      ['kinesis:GetRecords', results],
      ['s3:GetObject', stack.results.bucket.arnForObjects('opensearch-failed/x.gz')],
      ['es:ESHttpGet', `${domainArn()}/device-metrics-2026-11-29/_search`],
      ['kms:Decrypt', key],
    ];
    for (const [action, resource] of stores) {
      await access.expectDenied(
        { principal: stranger, action, resource },
        { ...other, action, resource },
        { principal: Principals.anonymous, action, resource },
      );
    }
    await access.expectDenied({ principal: stranger, action: 'sts:AssumeRole', resource: stack.search.adminRole.roleArn });
    // the tables have no resource policy: plain HTTP is refused to the roles that hold their grants
    await access.expectDenied(
      { principal: stack.consumer.role.roleArn, action: 'dynamodb:BatchWriteItem', resource: stack.consumer.seenTable.tableArn, context: plainHttp },
      { principal: stack.consumer.role.roleArn, action: 'dynamodb:UpdateItem', resource: stack.deviceState.table.tableArn, context: plainHttp },
    );
    await access.expectExplicitlyDenied(
      { ...learner, action: 'sqs:ReceiveMessage', resource: stack.alerts.queue.queueArn, context: plainHttp },
      { ...learner, action: 'sqs:ReceiveMessage', resource: stack.consumer.deadLetterQueue.queueArn, context: plainHttp },
      { ...learner, action: 's3:GetObject', resource: stack.results.bucket.arnForObjects('opensearch-failed/x.gz'), context: plainHttp },
    );
  });
});
