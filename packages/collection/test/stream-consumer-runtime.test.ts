import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AccessModel, acknowledgementsBy, expectNagClean, expectParameterUsed, expectPropError, numberParameter, OTHER_ACCOUNT, Principals, stringParameter, testStack } from '@analytics-patterns/testing';
import { Duration, FileSystem } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as ts from 'typescript';
import { StreamConsumer, StreamConsumerProps, StreamIngestion } from '../src';

const PACKAGE = path.join(__dirname, '..');
const REGION = 'eu-west-1';
const ACCOUNT = '123456789012';

describe('StreamConsumer: logical ids of stateful resources do not change', () => {
  test('key, seen-set table, on-failure queue and log group keep their ids', () => {
    const stack = testStack();
    new StreamConsumer(stack, 'Consumer', { stream: new kinesis.Stream(stack, 'Stream') });
    const ids = Object.entries<any>(Template.fromStack(stack).toJSON().Resources)
      .filter(([, r]) => ['AWS::KMS::Key', 'AWS::DynamoDB::Table', 'AWS::SQS::Queue', 'AWS::Logs::LogGroup'].includes(r.Type))
      .map(([logicalId]) => logicalId).sort();
    expect(ids).toEqual(['ConsumerDeadLetterQueue41F42704', 'ConsumerKeyCEB50C03', 'ConsumerLogs7B9AAC61', 'ConsumerSeenTable9CE88A0E']);
  });
});

describe('StreamConsumer: run-time permissions', () => {
  const stack = testStack();
  const ingestion = new StreamIngestion(stack, 'Ingest');
  const consumer = new StreamConsumer(stack, 'Consumer', { stream: ingestion.stream });
  const fanOut = new StreamConsumer(stack, 'FanOut', { stream: ingestion.stream, enhancedFanOut: true, consumerName: 'analytics' });
  const access = AccessModel.of(stack);
  const role = consumer.role.roleArn;
  const streamArn = ingestion.stream.streamArn;
  const table = consumer.seenTable.tableArn;
  const queue = consumer.deadLetterQueue.queueArn;
  const key = consumer.encryptionKey.keyArn;
  const via = (service: string) => ({ 'kms:ViaService': `${service}.${REGION}.amazonaws.com` });

  test('Lambda assumes the function role', async () => {
    await access.expectAllowed({ principal: 'lambda.amazonaws.com', action: 'sts:AssumeRole', resource: role });
    await access.expectDenied({ principal: 'firehose.amazonaws.com', action: 'sts:AssumeRole', resource: role });
  });

  test('the function reads the stream and decrypts it with the stream\'s key through Kinesis', async () => {
    await access.expectAllowed(
      { principal: role, action: 'kinesis:GetRecords', resource: streamArn },
      { principal: role, action: 'kinesis:GetShardIterator', resource: streamArn },
      { principal: role, action: 'kinesis:DescribeStream', resource: streamArn },
      { principal: role, action: 'kinesis:ListShards', resource: streamArn },
      { principal: role, action: 'kms:Decrypt', resource: ingestion.encryptionKey.keyArn, context: via('kinesis') },
    );
    await access.expectDenied({ principal: role, action: 'kinesis:PutRecord', resource: streamArn });
  });

  test('the function uses its seen-set table with the table key through DynamoDB', async () => {
    await access.expectAllowed(
      { principal: role, action: 'dynamodb:BatchGetItem', resource: table },
      { principal: role, action: 'dynamodb:BatchWriteItem', resource: table },
      { principal: role, action: 'kms:GenerateDataKey', resource: key, context: via('dynamodb') },
      { principal: role, action: 'kms:Decrypt', resource: key, context: via('dynamodb') },
    );
    await access.expectDenied(
      { principal: role, action: 'dynamodb:DeleteTable', resource: table },
      { principal: role, action: 'dynamodb:Scan', resource: table },
    );
  });

  test('failures reach the encrypted on-failure queue with the queue key through SQS; CloudWatch Logs uses the key', async () => {
    const logGroupArn = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${access.resolve(consumer.logGroup.logGroupName)}`;
    await access.expectAllowed(
      { principal: role, action: 'sqs:SendMessage', resource: queue },
      { principal: role, action: 'kms:GenerateDataKey', resource: key, context: via('sqs') },
      { principal: role, action: 'logs:PutLogEvents', resource: `${logGroupArn}:log-stream:x` },
      { principal: `logs.${REGION}.amazonaws.com`, action: 'kms:GenerateDataKey', resource: key, context: { 'kms:EncryptionContext:aws:logs:arn': logGroupArn } },
    );
    await access.expectExplicitlyDenied({ principal: role, action: 'sqs:SendMessage', resource: queue, context: { 'aws:SecureTransport': 'false' } });
  });

  test('the on-failure queue key is usable only through SQS, and only to send', async () => {
    await access.expectAllowed({ principal: role, action: 'kms:Decrypt', resource: key, context: via('sqs') });
    await access.expectDenied(
      // direct use of the key, outside any service
      { principal: role, action: 'kms:Decrypt', resource: key },
      { principal: role, action: 'kms:GenerateDataKey', resource: key },
      { principal: role, action: 'kms:Encrypt', resource: key },
      // through a service other than SQS (or DynamoDB for the seen set)
      { principal: role, action: 'kms:Decrypt', resource: key, context: via('s3') },
      // what sources.SqsDlq granted beyond sending
      { principal: role, action: 'kms:Encrypt', resource: key, context: via('sqs') },
      { principal: role, action: 'kms:ReEncryptFrom', resource: key, context: via('sqs') },
      { principal: role, action: 'kms:GenerateDataKeyWithoutPlaintext', resource: key, context: via('sqs') },
      // another role of the account, even through SQS
      { principal: fanOut.role.roleArn, action: 'kms:Decrypt', resource: key, context: via('sqs') },
      { principal: Principals.strangerInAccount(), action: 'kms:GenerateDataKey', resource: key, context: via('sqs') },
    );
  });

  test('the seen-set table refuses plain HTTP, and other roles', async () => {
    await access.expectDenied(
      { principal: role, action: 'dynamodb:BatchGetItem', resource: table, context: { 'aws:SecureTransport': 'false' } },
      { principal: role, action: 'dynamodb:BatchWriteItem', resource: table, context: { 'aws:SecureTransport': 'false' } },
      { principal: fanOut.role.roleArn, action: 'dynamodb:BatchWriteItem', resource: table },
      { principal: Principals.strangerInAccount(), action: 'dynamodb:BatchGetItem', resource: table },
    );
  });

  test('an enhanced fan-out consumer subscribes through its registered consumer ARN', async () => {
    const consumerArn = fanOut.fanOutConsumer!.streamConsumerArn;
    await access.expectAllowed(
      { principal: fanOut.role.roleArn, action: 'kinesis:SubscribeToShard', resource: consumerArn },
      { principal: fanOut.role.roleArn, action: 'kinesis:DescribeStreamConsumer', resource: consumerArn },
    );
    await access.expectDenied({ principal: role, action: 'kinesis:SubscribeToShard', resource: consumerArn });
  });

  test('strangers, other accounts and anonymous callers are refused on the table, queue and key', async () => {
    for (const who of [{ principal: Principals.strangerInAccount() }, Principals.otherAccountAdmin(), { principal: Principals.anonymous }]) {
      await access.expectDenied(
        { ...who, action: 'dynamodb:GetItem', resource: table },
        { ...who, action: 'dynamodb:PutItem', resource: table },
        { ...who, action: 'sqs:ReceiveMessage', resource: queue },
        { ...who, action: 'sqs:SendMessage', resource: queue },
        { ...who, action: 'kms:Decrypt', resource: key },
      );
    }
    await access.expectDenied({
      principal: 'cloudwatch.amazonaws.com',
      action: 'sns:Publish',
      resource: consumer.alarmTopic.topicArn,
      context: { 'aws:SourceAccount': OTHER_ACCOUNT, 'aws:SourceArn': `arn:aws:cloudwatch:${REGION}:${OTHER_ACCOUNT}:alarm:x` },
    });
  });
});

describe('StreamConsumer: compliance', () => {
  test('four packs clean with an imported stream, key and queue and enhanced fan-out', () => {
    const stack = testStack();
    const key = kms.Key.fromKeyArn(stack, 'Key', `arn:aws:kms:${REGION}:${ACCOUNT}:key/11111111-2222-3333-4444-555555555555`);
    const stream = kinesis.Stream.fromStreamAttributes(stack, 'Stream', { streamArn: `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/orders`, encryptionKey: key });
    const queue = sqs.Queue.fromQueueAttributes(stack, 'Queue', { queueArn: `arn:aws:sqs:${REGION}:${ACCOUNT}:failures`, keyArn: key.keyArn });
    new StreamConsumer(stack, 'Consumer', { stream, encryptionKey: key, deadLetterQueue: queue, enhancedFanOut: true });
    expectNagClean(stack);
  });

  test('four packs clean with new resources; the acknowledgements it makes', () => {
    const stack = testStack();
    new StreamConsumer(stack, 'Consumer', { stream: new kinesis.Stream(stack, 'Stream', { encryption: kinesis.StreamEncryption.MANAGED }) });
    const report = expectNagClean(stack);
    expect(acknowledgementsBy(report, 'StreamConsumer')).toEqual([
      'AwsSolutions-SQS3 TestStack/Consumer/DeadLetterQueue/Resource',
      'HIPAA.Security-DynamoDBInBackupPlan TestStack/Consumer/SeenTable/Resource',
      'HIPAA.Security-LambdaConcurrency TestStack/Consumer/Function/Resource',
      'HIPAA.Security-LambdaDLQ TestStack/Consumer/Function/Resource',
      'HIPAA.Security-LambdaInsideVPC TestStack/Consumer/Function/Resource',
      'NIST.800.53.R5-DynamoDBInBackupPlan TestStack/Consumer/SeenTable/Resource',
      'NIST.800.53.R5-LambdaConcurrency TestStack/Consumer/Function/Resource',
      'NIST.800.53.R5-LambdaDLQ TestStack/Consumer/Function/Resource',
      'NIST.800.53.R5-LambdaInsideVPC TestStack/Consumer/Function/Resource',
      'PCI.DSS.321-LambdaInsideVPC TestStack/Consumer/Function/Resource',
      'HIPAA.Security-IAMNoInlinePolicy TestStack/Consumer/Policy/Resource',
      'HIPAA.Security-IAMNoInlinePolicy TestStack/Consumer/Role/DefaultPolicy/Resource',
      'NIST.800.53.R5-IAMNoInlinePolicy TestStack/Consumer/Policy/Resource',
      'NIST.800.53.R5-IAMNoInlinePolicy TestStack/Consumer/Role/DefaultPolicy/Resource',
      'PCI.DSS.321-IAMNoInlinePolicy TestStack/Consumer/Policy/Resource',
      'PCI.DSS.321-IAMNoInlinePolicy TestStack/Consumer/Role/DefaultPolicy/Resource',
    ].sort());
  });

  test('the props that answer the compliance rules: reservedConcurrentExecutions and vpc leave no acknowledgement of those rules', () => {
    const stack = testStack();
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', { vpcId: 'vpc-1', availabilityZones: ['eu-west-1a'], privateSubnetIds: ['subnet-1'] });
    new StreamConsumer(stack, 'Consumer', {
      stream: new kinesis.Stream(stack, 'Stream', { encryption: kinesis.StreamEncryption.MANAGED }), reservedConcurrentExecutions: 5, vpc,
    });
    const report = expectNagClean(stack);
    const rules = acknowledgementsBy(report, 'StreamConsumer').map((l) => l.split(' ')[0]);
    expect(rules.filter((r) => /LambdaConcurrency|LambdaInsideVPC/.test(r))).toEqual([]);
    expect(rules).toContain('AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]');
  });
});

describe('StreamConsumer: props given as tokens', () => {
  test('every numeric, Duration and string prop reaches the template', () => {
    const stack = testStack();
    const consumer = new StreamConsumer(stack, 'Consumer', {
      stream: new kinesis.Stream(stack, 'Stream'),
      enhancedFanOut: true,
      consumerName: stringParameter(stack, 'ConsumerName'),
      batchSize: numberParameter(stack, 'BatchSize'),
      maxBatchingWindow: Duration.seconds(numberParameter(stack, 'WindowSeconds')),
      parallelizationFactor: numberParameter(stack, 'Parallelization'),
      retryAttempts: numberParameter(stack, 'Retries'),
      maxRecordAge: Duration.seconds(numberParameter(stack, 'MaxAgeSeconds')),
      seenTtl: Duration.seconds(numberParameter(stack, 'SeenTtlSeconds')),
      memorySize: numberParameter(stack, 'Memory'),
      timeout: Duration.seconds(numberParameter(stack, 'TimeoutSeconds')),
      iteratorAgeThreshold: Duration.millis(numberParameter(stack, 'IteratorAgeMs')),
      idField: stringParameter(stack, 'IdField'),
      code: lambda.Code.fromInline('exports.handler = async () => ({ batchItemFailures: [] })'),
      handler: stringParameter(stack, 'Handler'),
    });
    const t = Template.fromStack(stack);
    expectParameterUsed(t, 'ConsumerName', /ConsumerName/);
    expectParameterUsed(t, 'BatchSize', /BatchSize/);
    expectParameterUsed(t, 'WindowSeconds', /MaximumBatchingWindowInSeconds/);
    expectParameterUsed(t, 'Parallelization', /ParallelizationFactor/);
    expectParameterUsed(t, 'Retries', /MaximumRetryAttempts/);
    expectParameterUsed(t, 'MaxAgeSeconds', /MaximumRecordAgeInSeconds/);
    expectParameterUsed(t, 'SeenTtlSeconds', /SEEN_TTL_SECONDS/);
    expectParameterUsed(t, 'Memory', /MemorySize/);
    expectParameterUsed(t, 'TimeoutSeconds', /Timeout/);
    expectParameterUsed(t, 'IteratorAgeMs', /Threshold/);
    expectParameterUsed(t, 'IdField', /ID_FIELD/);
    expectParameterUsed(t, 'Handler', /Handler/);
    expect(consumer.fanOutConsumer).toBeDefined();
  });
});

describe('StreamConsumer: limits on both sides', () => {
  const make = (props: Partial<StreamConsumerProps>) => {
    const stack = testStack();
    return new StreamConsumer(stack, 'Consumer', { stream: new kinesis.Stream(stack, 'Stream'), ...props });
  };
  test('accepted at the boundaries', () => {
    for (const props of [
      { batchSize: 1 }, { batchSize: 10_000 }, { maxBatchingWindow: Duration.seconds(0) }, { maxBatchingWindow: Duration.seconds(300) },
      { parallelizationFactor: 1 }, { parallelizationFactor: 10 }, { retryAttempts: 0 }, { retryAttempts: 10_000 },
      { maxRecordAge: Duration.seconds(60), seenTtl: Duration.hours(1) }, { maxRecordAge: Duration.days(7) },
      { memorySize: 128 }, { memorySize: 10_240 }, { timeout: Duration.seconds(1) }, { timeout: Duration.seconds(900) },
      { seenTtl: Duration.days(365) }, { enhancedFanOut: true, consumerName: 'c'.repeat(128) },
    ] as Array<Partial<StreamConsumerProps>>) {
      expect(() => make(props)).not.toThrow();
    }
  });
  test('refused beyond them (lower side and fractions; the upper side is in stream-consumer.test.ts)', () => {
    const fails = (props: Partial<StreamConsumerProps>, prop: string, value: string, allowed: string) =>
      expectPropError(() => make(props), { path: 'TestStack/Consumer', prop, value, allowed });
    fails({ parallelizationFactor: 0 }, 'parallelizationFactor', '0', '1-10');
    fails({ retryAttempts: -1 }, 'retryAttempts', '-1', '0-10000');
    fails({ memorySize: 10_241 }, 'memorySize', '10241', '128-10240');
    fails({ timeout: Duration.millis(1500) }, 'timeout', '1.5 seconds', 'a whole number from 1 to 900 seconds');
    fails({ timeout: Duration.seconds(0) }, 'timeout', '0 seconds', '1-900');
    fails({ seenTtl: Duration.days(366) }, 'seenTtl', '31622400', '3600-31536000');
    fails({ enhancedFanOut: true, consumerName: 'c'.repeat(129) }, 'consumerName', 'ccc', '1-128 characters');
  });
});

describe('StreamConsumer: the handler ships pre-built, with a typed runtime for custom handlers', () => {
  test('the default code is the pre-built bundle in lambda-dist/: no workspace import left, the SDK external', () => {
    const stack = testStack();
    new StreamConsumer(stack, 'Consumer', { stream: new kinesis.Stream(stack, 'Stream') });
    const code = fs.readFileSync(path.join(PACKAGE, 'lambda-dist', 'stream-consumer', 'index.js'), 'utf8');
    expect(code).not.toMatch(/require\("@analytics-patterns\//);
    expect(code).toMatch(/require\("@aws-sdk\/client-dynamodb"\)/);
    const fn = Object.values<any>(Template.fromStack(stack).findResources('AWS::Lambda::Function'))[0];
    // the asset is the shipped folder itself (its fingerprint), not something bundled at synth
    expect(fn.Properties.Code.S3Key).toBe(`${FileSystem.fingerprint(path.join(PACKAGE, 'lambda-dist', 'stream-consumer'))}.zip`);
    expect(fn.Properties.Handler).toBe('index.handler');
  });

  test('a custom handler written against runtime/stream-consumer type-checks under strict without @types/aws-lambda, and runs', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'consumer-handler-'));
    const runtime = path.join(PACKAGE, 'runtime', 'stream-consumer');
    const source = [
      `import { streamHandler, ConsumedRecord } from ${JSON.stringify(runtime)};`,
      'const seen: string[] = [];',
      'const client = { send: async (c: any) => (c.constructor.name === "BatchGetItemCommand" ? { Responses: {} } : {}) };',
      'export const handler = streamHandler(async (r: ConsumedRecord) => { seen.push(r.partitionKey); }, { client, tableName: "t", report: () => undefined });',
      'export const processed = seen;',
    ].join('\n');
    fs.writeFileSync(path.join(dir, 'handler.ts'), source);
    const program = ts.createProgram([path.join(dir, 'handler.ts')], {
      strict: true,
      noEmit: false,
      outDir: dir,
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      types: ['node'],
      typeRoots: [path.join(PACKAGE, '..', '..', 'node_modules', '@types')],
      skipLibCheck: true,
    });
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(diagnostics).toEqual([]);
    program.emit();
    const event = { Records: [{ kinesis: { data: Buffer.from('{"recordId":"a"}').toString('base64'), partitionKey: 'k1', sequenceNumber: '1' }, eventSourceARN: 'arn' }] };
    const out = execFileSync(process.execPath, ['-e', `const m = require(${JSON.stringify(path.join(dir, 'handler.js'))}); m.handler(${JSON.stringify(event)}).then((r) => console.log(JSON.stringify({ r, p: m.processed })))`], {
      env: { ...process.env, NODE_PATH: path.join(PACKAGE, '..', '..', 'node_modules') }, encoding: 'utf8',
    });
    expect(JSON.parse(out.trim().split('\n').pop()!)).toEqual({ r: { batchItemFailures: [] }, p: ['k1'] });
  });

  test('the published files hold the built handler and runtime, not the handler\'s TypeScript sources', () => {
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: PACKAGE, encoding: 'utf8' });
    const files: string[] = JSON.parse(out)[0].files.map((f: any) => f.path);
    expect(files).toEqual(expect.arrayContaining([
      'lambda-dist/stream-consumer/index.js', 'runtime/stream-consumer/index.js', 'runtime/stream-consumer/index.d.ts', 'runtime/stream-consumer/types.d.ts',
    ]));
    expect(files.filter((f) => f.startsWith('lambda/') || f.startsWith('src/') || f.startsWith('test/'))).toEqual([]);
  });
});
