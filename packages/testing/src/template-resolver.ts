/**
 * Resolves a synthesized CloudFormation template's intrinsic functions to concrete values
 * for a fixed account, region and partition, so that policies can be evaluated offline.
 * Every resource gets a plausible physical name (its name property when it is a literal,
 * otherwise one derived from its logical id) and the ARNs, `Ref` values and attributes
 * CloudFormation documents for its type.
 */
import { createHash } from 'crypto';

/** Where the template is deployed (fixed test values by default). */
export interface TestEnvironment {
  readonly account: string;
  readonly region: string;
  readonly partition: string;
  readonly stackName: string;
}

export const TEST_ENV: TestEnvironment = { account: '123456789012', region: 'eu-west-1', partition: 'aws', stackName: 'TestStack' };

interface Physical {
  readonly ref: string;
  readonly attrs: Record<string, string>;
}

type TypeInfo = {
  /** the property holding the name, e.g. `BucketName`, or a function reading it */
  readonly nameProp?: string | ((props: any) => unknown);
  readonly lower?: boolean;
  /** physical values from the name */
  readonly values: (name: string, e: TestEnvironment, id: string) => Physical;
};

const arn = (e: TestEnvironment, service: string, resource: string, region = e.region, account = e.account) =>
  `arn:${e.partition}:${service}:${region}:${account}:${resource}`;

function fakeUuid(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

const TYPES: Record<string, TypeInfo> = {
  'AWS::IAM::Role': {
    nameProp: 'RoleName',
    values: (n, e, id) => ({ ref: n, attrs: { Arn: `arn:${e.partition}:iam::${e.account}:role/${n}`, RoleId: `AROA${id.toUpperCase().slice(0, 16)}` } }),
  },
  'AWS::IAM::ManagedPolicy': {
    nameProp: 'ManagedPolicyName',
    values: (n, e) => ({ ref: `arn:${e.partition}:iam::${e.account}:policy/${n}`, attrs: { PolicyArn: `arn:${e.partition}:iam::${e.account}:policy/${n}` } }),
  },
  'AWS::IAM::InstanceProfile': {
    nameProp: 'InstanceProfileName',
    values: (n, e) => ({ ref: n, attrs: { Arn: `arn:${e.partition}:iam::${e.account}:instance-profile/${n}` } }),
  },
  'AWS::KMS::Key': {
    values: (_n, e, id) => {
      const keyId = fakeUuid(id);
      return { ref: keyId, attrs: { Arn: arn(e, 'kms', `key/${keyId}`), KeyId: keyId } };
    },
  },
  'AWS::KMS::Alias': { nameProp: 'AliasName', values: (n) => ({ ref: n, attrs: {} }) },
  'AWS::S3::Bucket': {
    nameProp: 'BucketName',
    lower: true,
    values: (n, e) => ({
      ref: n,
      attrs: {
        Arn: `arn:${e.partition}:s3:::${n}`,
        DomainName: `${n}.s3.amazonaws.com`,
        RegionalDomainName: `${n}.s3.${e.region}.amazonaws.com`,
        WebsiteURL: `http://${n}.s3-website.${e.region}.amazonaws.com`,
      },
    }),
  },
  'AWS::SNS::Topic': {
    nameProp: 'TopicName',
    values: (n, e) => ({ ref: arn(e, 'sns', n), attrs: { TopicArn: arn(e, 'sns', n), TopicName: n } }),
  },
  'AWS::SQS::Queue': {
    nameProp: 'QueueName',
    values: (n, e) => {
      const url = `https://sqs.${e.region}.amazonaws.com/${e.account}/${n}`;
      return { ref: url, attrs: { Arn: arn(e, 'sqs', n), QueueName: n, QueueUrl: url } };
    },
  },
  'AWS::Kinesis::Stream': { nameProp: 'Name', values: (n, e) => ({ ref: n, attrs: { Arn: arn(e, 'kinesis', `stream/${n}`) } }) },
  'AWS::Kinesis::StreamConsumer': {
    nameProp: 'ConsumerName',
    values: (n, e) => {
      const a = arn(e, 'kinesis', `stream/stream/consumer/${n}:1700000000`);
      return { ref: a, attrs: { ConsumerARN: a, ConsumerName: n } };
    },
  },
  'AWS::KinesisFirehose::DeliveryStream': {
    nameProp: 'DeliveryStreamName',
    values: (n, e) => ({ ref: n, attrs: { Arn: arn(e, 'firehose', `deliverystream/${n}`) } }),
  },
  'AWS::Logs::LogGroup': {
    nameProp: 'LogGroupName',
    values: (n, e) => ({ ref: n, attrs: { Arn: arn(e, 'logs', `log-group:${n}:*`) } }),
  },
  'AWS::Logs::LogStream': { nameProp: 'LogStreamName', values: (n) => ({ ref: n, attrs: {} }) },
  'AWS::StepFunctions::StateMachine': {
    nameProp: 'StateMachineName',
    values: (n, e) => ({ ref: arn(e, 'states', `stateMachine:${n}`), attrs: { Arn: arn(e, 'states', `stateMachine:${n}`), Name: n } }),
  },
  'AWS::Lambda::Function': { nameProp: 'FunctionName', values: (n, e) => ({ ref: n, attrs: { Arn: arn(e, 'lambda', `function:${n}`) } }) },
  'AWS::DynamoDB::Table': {
    nameProp: 'TableName',
    values: (n, e) => ({ ref: n, attrs: { Arn: arn(e, 'dynamodb', `table/${n}`), StreamArn: arn(e, 'dynamodb', `table/${n}/stream/2026-01-01T00:00:00.000`) } }),
  },
  'AWS::Events::Rule': { nameProp: 'Name', values: (n, e) => ({ ref: n, attrs: { Arn: arn(e, 'events', `rule/${n}`) } }) },
  'AWS::Scheduler::Schedule': { nameProp: 'Name', values: (n, e) => ({ ref: n, attrs: { Arn: arn(e, 'scheduler', `schedule/default/${n}`) } }) },
  'AWS::Scheduler::ScheduleGroup': { nameProp: 'Name', values: (n, e) => ({ ref: n, attrs: { Arn: arn(e, 'scheduler', `schedule-group/${n}`) } }) },
  'AWS::Glue::Database': { nameProp: (p) => p.DatabaseInput?.Name, lower: true, values: (n) => ({ ref: n, attrs: {} }) },
  'AWS::Glue::Table': { nameProp: (p) => p.TableInput?.Name, lower: true, values: (n) => ({ ref: n, attrs: {} }) },
  'AWS::Glue::Crawler': { nameProp: 'Name', values: (n) => ({ ref: n, attrs: {} }) },
  'AWS::Glue::Job': { nameProp: 'Name', values: (n) => ({ ref: n, attrs: {} }) },
  'AWS::Glue::Workflow': { nameProp: 'Name', values: (n) => ({ ref: n, attrs: {} }) },
  'AWS::Glue::Trigger': { nameProp: 'Name', values: (n) => ({ ref: n, attrs: {} }) },
  'AWS::Glue::SecurityConfiguration': { nameProp: 'Name', values: (n) => ({ ref: n, attrs: {} }) },
  'AWS::Athena::WorkGroup': { nameProp: 'Name', values: (n) => ({ ref: n, attrs: {} }) },
  'AWS::SecretsManager::Secret': {
    nameProp: 'Name',
    values: (n, e) => ({ ref: arn(e, 'secretsmanager', `secret:${n}-AbCdEf`), attrs: { Id: arn(e, 'secretsmanager', `secret:${n}-AbCdEf`) } }),
  },
  'AWS::Redshift::Cluster': {
    nameProp: 'ClusterIdentifier',
    lower: true,
    values: (n, e) => ({
      ref: n,
      attrs: {
        'Endpoint.Address': `${n}.abc.${e.region}.redshift.amazonaws.com`,
        'Endpoint.Port': '5439',
        'MasterPasswordSecretArn': arn(e, 'secretsmanager', `secret:redshift!${n}-admin-AbCdEf`),
      },
    }),
  },
  'AWS::RedshiftServerless::Workgroup': {
    nameProp: 'WorkgroupName',
    lower: true,
    values: (n, e) => ({ ref: n, attrs: { 'Workgroup.WorkgroupArn': arn(e, 'redshift-serverless', `workgroup/${fakeUuid(n)}`), 'Workgroup.WorkgroupName': n } }),
  },
  'AWS::RedshiftServerless::Namespace': {
    nameProp: 'NamespaceName',
    lower: true,
    values: (n, e) => ({ ref: n, attrs: { 'Namespace.NamespaceArn': arn(e, 'redshift-serverless', `namespace/${fakeUuid(n)}`), 'Namespace.NamespaceName': n } }),
  },
  'AWS::MSK::Cluster': { nameProp: 'ClusterName', values: (n, e) => ({ ref: arn(e, 'kafka', `cluster/${n}/${fakeUuid(n)}-1`), attrs: { Arn: arn(e, 'kafka', `cluster/${n}/${fakeUuid(n)}-1`) } }) },
  'AWS::MSK::ServerlessCluster': { nameProp: 'ClusterName', values: (n, e) => ({ ref: arn(e, 'kafka', `cluster/${n}/${fakeUuid(n)}-s1`), attrs: { Arn: arn(e, 'kafka', `cluster/${n}/${fakeUuid(n)}-s1`) } }) },
  'AWS::OpenSearchService::Domain': {
    nameProp: 'DomainName',
    lower: true,
    values: (n, e) => ({ ref: n, attrs: { Arn: arn(e, 'es', `domain/${n}`), DomainArn: arn(e, 'es', `domain/${n}`), DomainEndpoint: `vpc-${n}.${e.region}.es.amazonaws.com` } }),
  },
  'AWS::KinesisAnalyticsV2::Application': { nameProp: 'ApplicationName', values: (n) => ({ ref: n, attrs: {} }) },
  'AWS::EMR::SecurityConfiguration': { nameProp: 'Name', values: (n) => ({ ref: n, attrs: {} }) },
  'AWS::EMRServerless::Application': {
    nameProp: 'Name',
    values: (n, e) => {
      const appId = `00${createHash('sha256').update(n).digest('hex').slice(0, 14)}`;
      return { ref: appId, attrs: { ApplicationId: appId, Arn: arn(e, 'emr-serverless', `/applications/${appId}`) } };
    },
  },
  'AWS::IoT::TopicRule': { nameProp: 'RuleName', values: (n, e) => ({ ref: n, attrs: { Arn: arn(e, 'iot', `rule/${n}`) } }) },
  'AWS::CloudHSM::Cluster': { values: (n) => ({ ref: `cluster-${n.toLowerCase().slice(0, 11)}`, attrs: {} }) },
};

/**
 * Resolves intrinsic functions of one template. Construct it once per template; `resolve`
 * any value of it (policies, ARNs, properties).
 */
export class TemplateResolver {
  private readonly physical = new Map<string, Physical>();
  private readonly conditionCache = new Map<string, boolean>();

  constructor(
    private readonly template: any,
    public readonly env: TestEnvironment = TEST_ENV,
    private readonly parameters: Record<string, string> = {},
  ) {
    const resources = Object.entries<any>(template.Resources ?? {});
    for (const [id, r] of resources) {
      this.physical.set(id, this.physicalOf(id, r, this.nameProperty(r)));
    }
    // names given as intrinsics (e.g. a bucket named after the account) resolve in a second pass
    for (const [id, r] of resources) {
      const raw = this.nameProperty(r);
      if (raw !== undefined && typeof raw === 'object') this.physical.set(id, this.physicalOf(id, r, String(this.resolve(raw))));
    }
  }

  /** The resource of logical id `id`. */
  public resource(id: string): any {
    return this.template.Resources?.[id];
  }

  /** The logical ids of resources of a type. */
  public ofType(type: string): string[] {
    return Object.entries<any>(this.template.Resources ?? {}).filter(([, r]) => r.Type === type).map(([id]) => id);
  }

  /** `Ref` of a resource. */
  public ref(id: string): string {
    const p = this.physical.get(id);
    if (!p) throw new Error(`no resource ${id} in the template`);
    return p.ref;
  }

  /** `Fn::GetAtt` of a resource. */
  public attr(id: string, attribute: string): string {
    const p = this.physical.get(id);
    if (!p) throw new Error(`no resource ${id} in the template`);
    return p.attrs[attribute] ?? `${p.ref}.${attribute}`;
  }

  /** Resolves every intrinsic in `value` (deeply); `AWS::NoValue` entries disappear. */
  public resolve(value: any): any {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v)).filter((v) => v !== NO_VALUE);
    if (value === null || typeof value !== 'object') return value;
    const keys = Object.keys(value);
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::') || keys[0] === 'Condition')) {
      return this.intrinsic(keys[0], value[keys[0]]);
    }
    const out: Record<string, any> = {};
    for (const k of keys) {
      const v = this.resolve(value[k]);
      if (v !== NO_VALUE) out[k] = v;
    }
    return out;
  }

  /** Evaluates a named condition of the template. */
  public condition(name: string): boolean {
    if (!this.conditionCache.has(name)) {
      const c = this.template.Conditions?.[name];
      if (c === undefined) throw new Error(`no condition ${name}`);
      this.conditionCache.set(name, Boolean(this.resolve(c)));
    }
    return this.conditionCache.get(name)!;
  }

  private intrinsic(fn: string, arg: any): any {
    switch (fn) {
      case 'Ref': return this.refOf(arg);
      case 'Fn::GetAtt': {
        const [id, ...attr] = typeof arg === 'string' ? arg.split('.') : arg;
        return this.attr(id, attr.join('.'));
      }
      case 'Fn::Join': return this.resolve(arg[1]).map((v: any) => String(v)).join(arg[0]);
      case 'Fn::Select': return this.resolve(arg[1])[Number(this.resolve(arg[0]))];
      case 'Fn::Split': return String(this.resolve(arg[1])).split(arg[0]);
      case 'Fn::Sub': return this.sub(arg);
      case 'Fn::If': return this.condition(arg[0]) ? this.resolve(arg[1]) : this.resolve(arg[2]);
      case 'Fn::Equals': return JSON.stringify(this.resolve(arg[0])) === JSON.stringify(this.resolve(arg[1]));
      case 'Fn::Not': return !this.resolve(arg[0]);
      case 'Fn::And': return arg.every((a: any) => this.resolve(a));
      case 'Fn::Or': return arg.some((a: any) => this.resolve(a));
      case 'Condition': return this.condition(arg);
      case 'Fn::GetAZs': return ['a', 'b', 'c'].map((z) => `${this.env.region}${z}`);
      case 'Fn::ImportValue': return `imported-${this.resolve(arg)}`;
      case 'Fn::Base64': return Buffer.from(String(this.resolve(arg))).toString('base64');
      case 'Fn::FindInMap': {
        const [m, k1, k2] = this.resolve(arg);
        return this.template.Mappings?.[m]?.[k1]?.[k2];
      }
      case 'Fn::ToJsonString': return JSON.stringify(this.resolve(arg));
      default: throw new Error(`cannot resolve ${fn}`);
    }
  }

  private refOf(name: string): any {
    switch (name) {
      case 'AWS::AccountId': return this.env.account;
      case 'AWS::Region': return this.env.region;
      case 'AWS::Partition': return this.env.partition;
      case 'AWS::URLSuffix': return 'amazonaws.com';
      case 'AWS::StackName': return this.env.stackName;
      case 'AWS::StackId': return `arn:${this.env.partition}:cloudformation:${this.env.region}:${this.env.account}:stack/${this.env.stackName}/${fakeUuid(this.env.stackName)}`;
      case 'AWS::NoValue': return NO_VALUE;
      case 'AWS::NotificationARNs': return [];
    }
    const param = this.template.Parameters?.[name];
    if (param) return this.parameters[name] ?? param.Default ?? `param-${name}`;
    return this.ref(name);
  }

  private sub(arg: any): string {
    const [text, vars] = typeof arg === 'string' ? [arg, {}] : [arg[0], arg[1] ?? {}];
    return text.replace(/\$\{([^!}][^}]*)\}/g, (_m: string, v: string) => {
      if (vars[v] !== undefined) return String(this.resolve(vars[v]));
      if (v.includes('.') && !v.startsWith('AWS::')) {
        const [id, ...attr] = v.split('.');
        return this.attr(id, attr.join('.'));
      }
      return String(this.refOf(v));
    });
  }

  private nameProperty(r: any): unknown {
    const info = TYPES[r.Type];
    const props = r.Properties ?? {};
    return info?.nameProp === undefined ? undefined
      : typeof info.nameProp === 'function' ? info.nameProp(props) : props[info.nameProp];
  }

  private physicalOf(id: string, r: any, raw: unknown): Physical {
    const info = TYPES[r.Type];
    let name: string;
    if (typeof raw === 'string') {
      name = raw;
    } else {
      const base = `${this.env.stackName}-${id}`.slice(0, 60);
      name = info?.lower ? base.toLowerCase() : base;
    }
    return info ? info.values(name, this.env, id) : { ref: id, attrs: {} };
  }
}

/** Marker for `AWS::NoValue`. */
const NO_VALUE = Symbol('AWS::NoValue') as any;
