import { AccessModel, OTHER_ACCOUNT, Principals, TEST_ENV, testApp } from '@analytics-patterns/testing';
import { ClickstreamIngestionStack } from '../src';

/**
 * Run-time permissions of the app-level wiring, evaluated on the synthesized template
 * (identity, resource and key policies together): the app hands its own alarm topic and data
 * key to StreamIngestion, so its alarms must reach that topic with that key; Firehose must
 * write the partitioned prefix with the key; the learner (a person of the account with
 * permissions) sends and reads data; strangers do not. StreamIngestion's own tests cover the
 * construct's internals.
 */
const { account: ACCOUNT, region: REGION } = TEST_ENV;
const stack = new ClickstreamIngestionStack(testApp(), 'ClickstreamIngestion');
const access = AccessModel.of(stack);
const key = stack.ingestion.encryptionKey.keyArn;
const topic = stack.alarmTopic.topic.topicArn;
const bucket = stack.ingestion.bucket;
const object = bucket.arnForObjects('clickstream/event_type=click/year=2026/month=11/day=29/hour=10/part-0.gz');
const alarmSource = { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:ClickstreamIngestion-IteratorAge` };
const learner = {
  principal: `arn:aws:iam::${ACCOUNT}:role/Learner`,
  identityPolicies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }],
};

test('the construct\'s alarms publish to the app\'s encrypted topic, with its key, for this account\'s alarms only', async () => {
  await access.expectAllowed(
    { principal: 'cloudwatch.amazonaws.com', action: 'sns:Publish', resource: topic, context: alarmSource },
    { principal: 'cloudwatch.amazonaws.com', action: 'kms:GenerateDataKey', resource: key, context: alarmSource },
    { principal: 'cloudwatch.amazonaws.com', action: 'kms:Decrypt', resource: key, context: alarmSource },
  );
  const otherAlarm = { 'aws:SourceAccount': OTHER_ACCOUNT, 'aws:SourceArn': `arn:aws:cloudwatch:${REGION}:${OTHER_ACCOUNT}:alarm:x` };
  await access.expectDenied(
    { principal: 'cloudwatch.amazonaws.com', action: 'sns:Publish', resource: topic, context: otherAlarm },
    { principal: 'cloudwatch.amazonaws.com', action: 'kms:GenerateDataKey', resource: key, context: otherAlarm },
    { principal: 'cloudwatch.amazonaws.com', action: 'sns:Publish', resource: topic },
  );
});

test('Firehose reads the stream and writes the partitioned prefix (and its error prefix) with the key through S3, nothing else', async () => {
  const role = stack.ingestion.deliveryRole.roleArn;
  const s3Key = { 'kms:ViaService': `s3.${REGION}.amazonaws.com`, 'kms:EncryptionContext:aws:s3:arn': access.resolve(bucket.bucketArn) };
  await access.expectAllowed(
    { principal: role, action: 'kinesis:GetRecords', resource: stack.ingestion.stream.streamArn },
    { principal: role, action: 'kms:Decrypt', resource: key, context: { 'kms:ViaService': `kinesis.${REGION}.amazonaws.com` } },
    { principal: role, action: 's3:PutObject', resource: object },
    { principal: role, action: 's3:PutObject', resource: bucket.arnForObjects('errors/clickstream/processing-failed/year=2026/month=11/day=29/hour=10/x.gz') },
    { principal: role, action: 'kms:GenerateDataKey', resource: key, context: s3Key },
  );
  await access.expectDenied(
    { principal: role, action: 's3:PutObject', resource: bucket.arnForObjects('elsewhere/x.gz') },
    { principal: role, action: 's3:DeleteObject', resource: object },
    { principal: role, action: 'sns:Publish', resource: topic },
  );
});

test('the learner sends records and reads the delivered objects with the key (the key policy delegates to the account)', async () => {
  await access.expectAllowed(
    { ...learner, action: 'kinesis:PutRecords', resource: stack.ingestion.stream.streamArn },
    { ...learner, action: 'kms:GenerateDataKey', resource: key, context: { 'kms:ViaService': `kinesis.${REGION}.amazonaws.com` } },
    { ...learner, action: 's3:GetObject', resource: object },
    { ...learner, action: 'kms:Decrypt', resource: key, context: { 'kms:ViaService': `s3.${REGION}.amazonaws.com` } },
    { ...learner, action: 'sns:Subscribe', resource: topic },
  );
});

test('strangers of the account, other accounts, unsigned callers and plain HTTP are refused', async () => {
  for (const [action, resource] of [
    ['kinesis:PutRecords', stack.ingestion.stream.streamArn],
    ['kinesis:GetRecords', stack.ingestion.stream.streamArn],
    ['s3:GetObject', object],
    ['kms:Decrypt', key],
    ['sns:Publish', topic],
  ] as const) {
    await access.expectDenied(
      { principal: Principals.strangerInAccount(), action, resource },
      { ...Principals.otherAccountAdmin(), action, resource },
      { principal: Principals.anonymous, action, resource },
    );
  }
  await access.expectExplicitlyDenied(
    { ...learner, action: 's3:GetObject', resource: object, context: { 'aws:SecureTransport': 'false' } },
    { ...learner, action: 'sns:Publish', resource: topic, context: { 'aws:SecureTransport': 'false' } },
  );
});
