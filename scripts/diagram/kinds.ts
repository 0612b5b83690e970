/**
 * Which CloudFormation resource types are nodes of a data-flow diagram, in which layer, and
 * what to call them. Everything else (IAM, KMS, log groups, alarms, networking, notification
 * topics, custom-resource plumbing) is not a node: roles and policies only tell who reads and
 * writes what.
 */

/** The layers, left to right. */
export const LAYERS = ['source', 'stream', 'delivery', 'store', 'catalog', 'query', 'consumer'] as const;
export type Layer = typeof LAYERS[number];

/** How a resource type is drawn. */
export interface Kind {
  readonly layer: Layer;
  /** What it is, e.g. `Kinesis data stream`. */
  readonly label: string;
  /**
   * A literal name read from the properties, shown in the label and matched against ARNs that
   * policies build from names (e.g. `table/<database>/<table>` for Glue tables).
   */
  readonly name?: (props: any) => { display: string; arnSuffixes: string[] } | undefined;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export const KINDS: Record<string, Kind> = {
  'AWS::IoT::TopicRule': { layer: 'source', label: 'IoT rule' },
  'AWS::Events::Rule': { layer: 'source', label: 'EventBridge rule' },
  'AWS::Scheduler::Schedule': { layer: 'source', label: 'EventBridge Scheduler schedule' },
  'AWS::Glue::Trigger': { layer: 'source', label: 'Glue trigger' },
  'AWS::DMS::Endpoint': { layer: 'source', label: 'DMS endpoint' },
  'AWS::Kinesis::Stream': { layer: 'stream', label: 'Kinesis data stream' },
  'AWS::MSK::Cluster': { layer: 'stream', label: 'MSK cluster' },
  'AWS::MSK::ServerlessCluster': { layer: 'stream', label: 'MSK Serverless cluster' },
  'AWS::SQS::Queue': { layer: 'stream', label: 'SQS queue' },
  'AWS::KinesisFirehose::DeliveryStream': { layer: 'delivery', label: 'Firehose delivery stream' },
  'AWS::KafkaConnect::Connector': { layer: 'delivery', label: 'MSK Connect connector' },
  'AWS::Kinesis::StreamConsumer': { layer: 'delivery', label: 'Kinesis enhanced fan-out consumer' },
  'AWS::DMS::ReplicationConfig': { layer: 'delivery', label: 'DMS Serverless replication' },
  'AWS::DMS::ReplicationTask': { layer: 'delivery', label: 'DMS replication task' },
  'AWS::Lambda::Function': { layer: 'delivery', label: 'Lambda function' },
  'AWS::KinesisAnalyticsV2::Application': { layer: 'delivery', label: 'Managed Service for Apache Flink application' },
  'AWS::StepFunctions::StateMachine': { layer: 'delivery', label: 'Step Functions state machine' },
  'AWS::Glue::Job': { layer: 'delivery', label: 'Glue job' },
  'AWS::Glue::Workflow': { layer: 'delivery', label: 'Glue workflow' },
  'AWS::EMRServerless::Application': { layer: 'delivery', label: 'EMR Serverless application' },
  'AWS::EMR::Cluster': { layer: 'delivery', label: 'EMR cluster' },
  'AWS::S3::Bucket': { layer: 'store', label: 'S3 bucket' },
  'AWS::DynamoDB::Table': { layer: 'store', label: 'DynamoDB table' },
  'AWS::DynamoDB::GlobalTable': { layer: 'store', label: 'DynamoDB global table' },
  'AWS::OpenSearchService::Domain': { layer: 'store', label: 'OpenSearch domain' },
  'AWS::RDS::DBCluster': { layer: 'store', label: 'RDS cluster' },
  'AWS::RDS::DBInstance': { layer: 'store', label: 'RDS instance' },
  'AWS::Glue::Crawler': { layer: 'catalog', label: 'Glue crawler' },
  'AWS::Glue::Database': {
    layer: 'catalog',
    label: 'Glue database',
    name: (p) => {
      const n = str(p.DatabaseInput?.Name);
      return n ? { display: n, arnSuffixes: [`:database/${n}`] } : undefined;
    },
  },
  'AWS::Glue::Table': {
    layer: 'catalog',
    label: 'Glue table',
    name: (p) => {
      const db = str(p.DatabaseName);
      const n = str(p.TableInput?.Name);
      return db && n ? { display: `${db}.${n}`, arnSuffixes: [`:table/${db}/${n}`, `:table/${db}/*`] } : undefined;
    },
  },
  'AWS::Athena::WorkGroup': {
    layer: 'query',
    label: 'Athena workgroup',
    name: (p) => {
      const n = str(p.Name);
      return n ? { display: n, arnSuffixes: [`:workgroup/${n}`] } : undefined;
    },
  },
  'AWS::Redshift::Cluster': {
    layer: 'query',
    label: 'Redshift cluster',
    name: (p) => {
      const n = str(p.ClusterIdentifier);
      return n ? { display: n, arnSuffixes: [`:cluster:${n}`] } : undefined;
    },
  },
  'AWS::RedshiftServerless::Workgroup': { layer: 'query', label: 'Redshift Serverless workgroup' },
  'AWS::QuickSight::DataSource': { layer: 'consumer', label: 'QuickSight data source' },
  'AWS::QuickSight::DataSet': { layer: 'consumer', label: 'QuickSight dataset' },
  'AWS::QuickSight::Analysis': { layer: 'consumer', label: 'QuickSight analysis' },
  'AWS::QuickSight::Dashboard': { layer: 'consumer', label: 'QuickSight dashboard' },
};

/** The label of an IAM role that people assume (trusted by an account, not a service). */
export const PERSON_ROLE: Kind = { layer: 'consumer', label: 'IAM role for people' };

/**
 * Direct references (outside IAM) that carry data, by resource type and property path:
 * `in` when the referenced resource feeds this one, `out` when this one feeds it.
 * References not listed here are ignored: IAM permissions tell the rest.
 */
export const PROPERTY_FLOWS: Record<string, Array<{ path: RegExp; direction: 'in' | 'out'; label?: string }>> = {
  'AWS::KinesisFirehose::DeliveryStream': [
    { path: /^(KinesisStreamSourceConfiguration|MSKSourceConfiguration)\./, direction: 'in' },
    { path: /DestinationConfiguration\.(BucketARN|DomainARN|ClusterEndpoint|ClusterJDBCURL)/, direction: 'out' },
  ],
  'AWS::Events::Rule': [
    { path: /^Targets\.\d+\.Arn$/, direction: 'out', label: 'triggers' },
    { path: /^EventPattern\./, direction: 'in' },
  ],
  'AWS::Scheduler::Schedule': [{ path: /^Target\.Arn$/, direction: 'out', label: 'triggers' }],
  'AWS::Glue::Trigger': [
    { path: /^Actions\./, direction: 'out', label: 'triggers' },
    { path: /^Predicate\./, direction: 'in' },
  ],
  'AWS::Glue::Crawler': [
    { path: /^Targets\./, direction: 'in' },
    { path: /^DatabaseName$/, direction: 'out' },
  ],
  'AWS::Glue::Table': [{ path: /^TableInput\.StorageDescriptor\.Location$/, direction: 'in' }],
  'AWS::Athena::WorkGroup': [{ path: /ResultConfiguration\.OutputLocation$/, direction: 'out', label: 'results' }],
  'AWS::Kinesis::StreamConsumer': [{ path: /^StreamARN$/, direction: 'in' }],
  // messages received too often move to the dead-letter queue (without this, the DLQ looks fed by producers)
  'AWS::SQS::Queue': [{ path: /^RedrivePolicy\.deadLetterTargetArn$/, direction: 'out', label: 'dead letters' }],
  'AWS::IoT::TopicRule': [{ path: /^TopicRulePayload\.Actions\./, direction: 'out' }],
  'AWS::QuickSight::DataSet': [{ path: /^PhysicalTableMap\./, direction: 'in' }],
  'AWS::DMS::ReplicationConfig': [
    { path: /^SourceEndpointArn$/, direction: 'in' },
    { path: /^TargetEndpointArn$/, direction: 'out' },
  ],
  'AWS::DMS::ReplicationTask': [
    { path: /^SourceEndpointArn$/, direction: 'in' },
    { path: /^TargetEndpointArn$/, direction: 'out' },
  ],
};

/** AWS services whose permissions say nothing about data flow between the diagram's nodes. */
export const PLUMBING_SERVICES = new Set(['kms', 'logs', 'xray', 'cloudwatch', 'iam', 'sts', 'ec2', 'secretsmanager', 'sns', 'ssm', 'lakeformation', 'events']);

/** Actions that only read (or describe) a resource; every other action writes to it or acts on it. */
export const READ_ACTION = /^(Get|List|Describe|Read|Select|Query|Scan|BatchGet|BatchCheck|Receive|Subscribe|Search|Lookup|Head|View|Download|Consume|Connect)/;

/** Glue actions that read table metadata: a schema lookup is not data flow unless a query engine or a person does it. */
export const CATALOG_READ = /^glue:(Get|BatchGet|Search)/;
