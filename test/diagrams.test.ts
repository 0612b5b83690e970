import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as iot from 'aws-cdk-lib/aws-iot';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { REFERENCE_APPS } from '../apps/main';
import { buildGraph, FlowGraph } from '../scripts/diagram/graph';
import { label, mermaidId, renderMermaid } from '../scripts/diagram/mermaid';
import { diagramBlock, END, START, withDiagram } from '../scripts/diagram/readme';
import { appFolder, diagramOf, generateDiagrams } from '../scripts/diagrams';
import { testApp } from '@analytics-patterns/testing';

/** Graph of a stack built by `build` (one synthesis, validation off). */
function graphOf(build: (stack: Stack) => void): FlowGraph {
  const app: App = testApp();
  const stack = new Stack(app, 'S');
  build(stack);
  return buildGraph(stack, app.synth().getStackByName('S').template);
}

/** `from -> to` lines with each node's name. */
function flows(g: FlowGraph): string[] {
  const name = (id: string) => g.nodes.find((n) => n.id === id)!.name;
  return g.edges.map((e) => `${name(e.from)} -> ${name(e.to)}${e.label ? ` (${e.label})` : ''}`);
}

/** Checks what GitHub's Mermaid needs from our output: identifiers as ids, quoted labels, declared endpoints. */
function expectWellFormedMermaid(source: string): void {
  const lines = source.split('\n');
  expect(lines[0]).toBe('flowchart LR');
  const declared = new Set<string>();
  for (const line of lines.slice(1)) {
    const node = /^\s+([A-Za-z][A-Za-z0-9_]*)(\(\[|\[\[|\[\(|\[\/|\{\{|>|\[)"([^"]*)"(\]\)|\]\]|\)\]|\/\]|\}\}|\])$/.exec(line);
    const group = /^\s+subgraph [A-Za-z][A-Za-z0-9_]* \["[^"]*"\]$/.exec(line);
    const edge = /^\s+([A-Za-z][A-Za-z0-9_]*) (-->|-\.->)(\|"[^"]*"\|)? ([A-Za-z][A-Za-z0-9_]*)$/.exec(line);
    const style = /^\s+(classDef [a-z]+ [^"]+|class [A-Za-z0-9_,]+ [a-z]+|end)$/.exec(line);
    expect({ line, ok: Boolean(node || group || edge || style) }).toEqual({ line, ok: true });
    if (node) declared.add(node[1]);
    if (edge) expect([declared.has(edge[1]), declared.has(edge[4])]).toEqual([true, true]);
  }
  expect(declared.size).toBeGreaterThan(0);
}

describe('generated architecture diagrams of the reference apps', () => {
  const updates = generateDiagrams();

  test('every app README holds its current diagram (else run `npm run diagrams`)', () => {
    expect(updates.map((u) => u.stackName)).toEqual(REFERENCE_APPS.map((a) => a.stackName));
    const stale = updates.filter((u) => u.current !== u.updated).map((u) => {
      const current = u.current.split('\n');
      const line = u.updated.split('\n').findIndex((l, i) => l !== current[i]);
      return `  ${u.readme} (first difference at line ${line + 1})`;
    });
    if (stale.length > 0) {
      throw new Error(`stale architecture diagram(s):\n${stale.join('\n')}\nRun \`npm run diagrams\` and commit the README(s).`);
    }
  });

  test('each README has exactly one diagram block, and each diagram is well-formed Mermaid', () => {
    for (const u of updates) {
      expect([u.readme, u.current.split(START).length - 1, u.current.split(END).length - 1]).toEqual([u.readme, 1, 1]);
      expect(u.current).toContain(diagramBlock(u.mermaid, u.stackName));
      expectWellFormedMermaid(u.mermaid);
    }
  });

  test('the diagrams show the data flows of the apps (sources -> streams -> delivery -> stores -> catalog -> query -> consumers)', () => {
    const m = Object.fromEntries(updates.map((u) => [u.stackName, u.mermaid]));
    expect(m.ClickstreamIngestion).toMatch(/Producers --> ClickstreamStream\w+\n\s+ClickstreamStream\w+ --> ClickstreamDeliveryStream\w+\n\s+ClickstreamDeliveryStream\w+ --> ClickstreamBucket\w+/);
    expect(m.StreamingDataLake).toMatch(/EventsTable\w+ --> WorkgroupWorkGroup\w+/);
    expect(m.StreamingDataLake).toMatch(/WorkgroupWorkGroup\w+ --> DataScientist\w+/);
    expect(m.StreamingDataLake).toMatch(/WorkgroupWorkGroup\w+ -\.->\|"results"\| WorkgroupResultsBucket\w+/);
    expect(m.Warehouse).toMatch(/OrdersUpsertOnManifest\w+ -->\|"triggers"\| OrdersUpsertStateMachine\w+/);
    expect(m.Warehouse).toMatch(/OrdersUpsertStateMachine\w+ --> WarehouseCluster\w+/);
    expect(m.BatchAnalytics).toMatch(/RawZoneBucket\w+ --> WeeklyAnalysisStateMachine\w+/);
    expect(m.BatchAnalytics).toMatch(/WeeklyAnalysisStateMachine\w+ --> CuratedZoneBucket\w+/);
    expect(m.RealTimeAnalytics).toMatch(/DeviceIngestionRule\w+ --> Telemetry\w+/);
    expect(m.RealTimeAnalytics).toMatch(/Telemetry\w+ --> StreamAnalyticsApplication\w+/);
    expect(m.RealTimeAnalytics).toMatch(/StreamAnalyticsApplication\w+ --> ResultsStream\w+/);
    expect(m.RealTimeAnalytics).toMatch(/ResultsDeliveryStream\w+ --> SearchDomain\w+/);
    expect(m.RealTimeAnalytics).toMatch(/DeviceStateConsumerFunction\w+ --> DeviceStateTable\w+/);
    // a dead-letter queue is fed by its queue's redrive policy, not by producers
    expect(m.RealTimeAnalytics).toMatch(/AlertsQueue\w+ -->\|"dead letters"\| AlertsDeadLetterQueue\w+/);
    expect(m.RealTimeAnalytics).not.toMatch(/Producers --> AlertsDeadLetterQueue/);
    for (const source of Object.values(m)) {
      // roles people assume (analysts, a CrossAccountRole's role) are consumers, whatever their logical id
      const people = [...source.matchAll(/^\s+([A-Za-z][A-Za-z0-9_]*)>"[^"]*IAM role for people"\]$/gm)].map((x) => x[1]);
      const rest = people.reduce((text, person) => text.split(person).join('Person'), source);
      expect(rest).not.toMatch(/Alarm|Key[0-9A-F]{8}\b|Role[0-9A-F]{8}\b|LogGroup|Policy/);
    }
    expect(m.ChangeDataCaptureLake).toMatch(/ReplicationTarget\w+ --> StorageRawZoneBucket\w+/);
    expect(m.ChangeDataCaptureLake).toMatch(/StorageRawZoneBucket\w+ --> CurateJob\w+\n\s+StorageRawZoneBucket\w+ --> RawCrawler\w+/);
    expect(m.ChangeDataCaptureLake).toMatch(/CurateJob\w+ --> StorageCuratedZoneBucket\w+/);
    expect(m.ChangeDataCaptureLake).toMatch(/WorkgroupWorkGroup\w+ --> ExternalAnalystsRole\w+/);
  });

  test('deterministic: the same app renders the same diagram twice', () => {
    const clickstream = REFERENCE_APPS.find((a) => a.stackName === 'ClickstreamIngestion')!;
    expect(diagramOf(clickstream)).toBe(updates[0].mermaid);
  });

  test('an app folder is the stack name in kebab case unless the app names its folder', () => {
    expect(appFolder({ stackName: 'StreamingDataLake', build: () => undefined })).toBe('streaming-data-lake');
    expect(appFolder({ stackName: 'ClickstreamIngestion', folder: 'clickstream', build: () => undefined })).toBe('clickstream');
  });
});

describe('data-flow graph (generic: new constructs need no new code)', () => {
  class MyIngestion extends Construct {
    constructor(scope: Construct, id: string) {
      super(scope, id);
      const key = new kms.Key(this, 'Key');
      const stream = new kinesis.Stream(this, 'Stream', { encryption: kinesis.StreamEncryption.KMS, encryptionKey: key });
      const bucket = new s3.Bucket(this, 'Landing', { encryptionKey: key });
      new firehose.DeliveryStream(this, 'Delivery', { source: new firehose.KinesisStreamSource(stream), destination: new firehose.S3Bucket(bucket) });
      new cloudwatch.Alarm(this, 'IteratorAge', { metric: stream.metricGetRecordsIteratorAgeMilliseconds(), threshold: 1, evaluationPeriods: 1 });
    }
  }

  test('a construct of one\'s own is a group; keys, roles, policies, alarms are no nodes; streams get their producers', () => {
    const g = graphOf((stack) => new MyIngestion(stack, 'Ingest'));
    expect(g.nodes.map((n) => `${n.layer}: ${n.group.id}/${n.name} (${n.group.type}) ${n.kind}`)).toEqual([
      'source: /Producers () outside the stack (clients, devices, npx produce)',
      'stream: Ingest/Stream (MyIngestion) Kinesis data stream',
      'delivery: Ingest/Delivery (MyIngestion) Firehose delivery stream',
      'store: Ingest/Landing (MyIngestion) S3 bucket',
    ]);
    expect(flows(g)).toEqual(['Producers -> Stream', 'Stream -> Delivery', 'Delivery -> Landing']);
    const mermaid = renderMermaid(g);
    expectWellFormedMermaid(mermaid);
    expect(mermaid).toContain('subgraph group_Ingest ["Ingest (MyIngestion)"]');
  });

  test('devices through an IoT rule into a stream, a Lambda consumer (event source mapping) writing to DynamoDB; custom-resource plumbing is no node', () => {
    const g = graphOf((stack) => {
      const stream = new kinesis.Stream(stack, 'Telemetry');
      const role = new iam.Role(stack, 'IotRole', { assumedBy: new iam.ServicePrincipal('iot.amazonaws.com') });
      stream.grantWrite(role);
      new iot.CfnTopicRule(stack, 'DeviceRule', {
        topicRulePayload: {
          sql: "SELECT * FROM 'devices/+/telemetry'",
          actions: [{ kinesis: { streamName: stream.streamName, roleArn: role.roleArn, partitionKey: '${topic()}' } }],
        },
      });
      const table = new dynamodb.Table(stack, 'DeviceState', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } });
      const fn = new lambda.Function(stack, 'Consumer', { runtime: lambda.Runtime.NODEJS_20_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async()=>{}') });
      fn.addEventSource(new sources.KinesisEventSource(stream, { startingPosition: lambda.StartingPosition.LATEST }));
      table.grantWriteData(fn);
      new s3.Bucket(stack, 'Scratch', { autoDeleteObjects: true, removalPolicy: RemovalPolicy.DESTROY });
    });
    expect(flows(g)).toEqual(['DeviceRule -> Telemetry', 'Telemetry -> Consumer', 'Consumer -> DeviceState']);
    expect(g.nodes.map((n) => n.layer)).toEqual(['source', 'stream', 'delivery', 'store']);
  });

  test('a rule that only notifies (SNS) is not a data flow; a rule that starts a data node is a trigger', () => {
    const g = graphOf((stack) => {
      const bucket = new s3.Bucket(stack, 'Drop', { eventBridgeEnabled: true });
      const topic = new sns.Topic(stack, 'Topic');
      new events.Rule(stack, 'Notify', { eventPattern: { source: ['aws.s3'] }, targets: [new targets.SnsTopic(topic)] });
      const queue = new kinesis.Stream(stack, 'Queue');
      new events.Rule(stack, 'OnDrop', {
        eventPattern: { source: ['aws.s3'], detail: { bucket: { name: [bucket.bucketName] } } },
        targets: [new targets.KinesisStream(queue)],
      });
    });
    expect(g.nodes.map((n) => n.name).sort()).toEqual(['Drop', 'OnDrop', 'Queue']);
    expect(flows(g)).toEqual(['OnDrop -> Queue (triggers)', 'Drop -> OnDrop']);
  });

  test('people read tables through the query engine they may use; the engine\'s results bucket hangs off the engine', () => {
    const g = graphOf((stack) => {
      const data = new s3.Bucket(stack, 'Data');
      const results = new s3.Bucket(stack, 'Results');
      new glue.CfnDatabase(stack, 'Db', { catalogId: stack.account, databaseInput: { name: 'sales' } });
      new glue.CfnTable(stack, 'Orders', {
        catalogId: stack.account,
        databaseName: 'sales',
        tableInput: { name: 'orders', storageDescriptor: { location: data.s3UrlForObject('orders/') } },
      });
      const wg = new athena.CfnWorkGroup(stack, 'Wg', { name: 'analysts', workGroupConfiguration: { resultConfiguration: { outputLocation: results.s3UrlForObject() } } });
      const analyst = new iam.Role(stack, 'Analyst', { assumedBy: new iam.AccountPrincipal(stack.account) });
      analyst.addToPolicy(new iam.PolicyStatement({ actions: ['athena:StartQueryExecution'], resources: [stack.formatArn({ service: 'athena', resource: 'workgroup', resourceName: wg.name })] }));
      analyst.addToPolicy(new iam.PolicyStatement({ actions: ['glue:GetTable'], resources: [stack.formatArn({ service: 'glue', resource: 'table', resourceName: 'sales/orders' })] }));
      results.grantRead(analyst);
      data.grantRead(analyst);
    });
    expect(flows(g).sort()).toEqual(['Data -> Orders', 'Data -> Wg', 'Orders -> Wg', 'Wg -> Analyst', 'Wg -> Results (results)']);
    expect(g.nodes.find((n) => n.name === 'Orders')!.kind).toBe('Glue table sales.orders');
    expect(g.nodes.find((n) => n.name === 'Analyst')!.layer).toBe('consumer');
  });
});

describe('README markers and Mermaid text', () => {
  const block = diagramBlock('flowchart LR\n  A["a"]', 'S');

  test('a README without markers gets a section before its first ## heading, or at its end', () => {
    expect(withDiagram('# T\n\nIntro.\n\n## Next\n', block)).toBe(`# T\n\nIntro.\n\n## Architecture (generated)\n\n${block}\n\n## Next\n`);
    expect(withDiagram('# T\n\nIntro.\n', block)).toBe(`# T\n\nIntro.\n\n## Architecture (generated)\n\n${block}\n`);
  });

  test('an existing block is replaced, the rest of the README is kept byte for byte; unbalanced markers fail', () => {
    const readme = `# T\n\n${START}\nold\n${END}\n\ntail\n`;
    expect(withDiagram(readme, block)).toBe(`# T\n\n${block}\n\ntail\n`);
    expect(withDiagram(withDiagram(readme, block), block)).toBe(withDiagram(readme, block));
    expect(() => withDiagram(`# T\n${START}\n`, block)).toThrow(/unbalanced diagram markers/);
  });

  test('labels are quoted with inner quotes escaped; ids are identifiers', () => {
    expect(label('a "b"', 'c\nd')).toBe('"a #quot;b#quot;<br/>c d"');
    expect(mermaidId('group_', 'daily-copy logs')).toBe('group_daily_copy_logs');
    expect(() => mermaidId('', '1abc')).toThrow(/not a Mermaid identifier/);
  });
});
