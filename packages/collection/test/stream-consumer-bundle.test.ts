import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Aggregator } from '@analytics-patterns/producer';
import { testApp } from '@analytics-patterns/testing';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import { StreamConsumer } from '../src';

/**
 * Synthesizes with asset staging on and runs the staged handler (the pre-built bundle the package
 * ships): the producer's de-aggregation is inlined, and the SDK stays external.
 */
test('the staged pre-built handler de-aggregates KPL records when run', () => {
  const app = testApp({ context: { 'aws:cdk:bundling-stacks': ['**'] } });
  const stack = new Stack(app, 'BundleStack', { env: { account: '123456789012', region: 'eu-west-1' } });
  const stream = new kinesis.Stream(stack, 'Stream');
  const consumer = new StreamConsumer(stack, 'Consumer', { stream });
  const fn = Template.fromStack(stack).toJSON().Resources[stack.getLogicalId(consumer.consumerFunction.node.defaultChild as any)];
  const assetHash = String(fn.Properties.Code.S3Key).replace(/\.zip$/, '');
  const bundle = path.join(app.outdir, `asset.${assetHash}`, 'index.js');
  const code = fs.readFileSync(bundle, 'utf8');
  expect(code).not.toMatch(/require\("@analytics-patterns\//);
  expect(code).toMatch(/require\("@aws-sdk\/client-dynamodb"\)/);
  expect(code).toContain('partitionKeyTable');

  const agg = new Aggregator();
  ['one', 'two', 'three'].forEach((s) => agg.add({ data: Buffer.from(s), partitionKey: `k-${s}` }));
  const encoded = agg.encode();
  const event = {
    Records: [{
      kinesis: { partitionKey: encoded.partitionKey, sequenceNumber: '1', data: encoded.data.toString('base64'), kinesisSchemaVersion: '1.0', approximateArrivalTimestamp: 0 },
      eventSourceARN: 'arn:aws:kinesis:eu-west-1:123456789012:stream/s',
    }],
  };
  const script = `require(${JSON.stringify(bundle)}).handler(${JSON.stringify(event)}).then((r) => console.log('RESULT ' + JSON.stringify(r)))`;
  const out = execFileSync(process.execPath, ['-e', script], {
    env: { ...process.env, NODE_PATH: path.join(__dirname, '..', '..', '..', 'node_modules'), SEEN_TABLE_NAME: 't', AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x' },
    encoding: 'utf8',
  });
  const logs = out.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  expect(logs.filter((l) => l.message === 'record').map((l) => l.partitionKey)).toEqual(['k-one', 'k-two', 'k-three']);
  expect(logs.find((l) => l.message === 'stream batch')).toMatchObject({ kinesisRecords: 1, userRecords: 3, processed: 3, withoutId: 3 });
  expect(out).toContain('RESULT {"batchItemFailures":[]}');
});
