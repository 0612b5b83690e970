import {
  AthenaLimits, ConstructAlarms, CustomerManagedPolicies, NagAcknowledgements, Sandbox, SizeUnit, TimeUnit, Validate,
} from '@analytics-patterns/core';
import { DataKey } from '@analytics-patterns/security';
import { IDataLakeTable, SecureBucket } from '@analytics-patterns/storage';
import { Duration, Size, Stack, Token } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct, IConstruct } from 'constructs';
import { AnalyticsWorkgroupProps, NamedQueryOptions, QueryGrantOptions } from './analytics-workgroup-props';

const PREFIX = '^([A-Za-z0-9!_.*\'()=-]+/)+$';
const QUERY_ACTIONS = [
  'athena:StartQueryExecution', 'athena:StopQueryExecution', 'athena:GetQueryExecution', 'athena:GetQueryResults',
  'athena:GetQueryResultsStream', 'athena:GetQueryRuntimeStatistics', 'athena:ListQueryExecutions',
  'athena:BatchGetQueryExecution', 'athena:GetWorkGroup', 'athena:ListNamedQueries', 'athena:GetNamedQuery',
  'athena:BatchGetNamedQuery',
];
/** Any whole number (of bytes, or of seconds); Athena's minimums are checked apart, for their own messages. */
const BYTES = { min: 0, max: Number.MAX_SAFE_INTEGER, integer: true };
/**
 * S3 lifecycle expiration takes a positive whole number of days.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_LifecycleExpiration.html
 */
const EXPIRATION_DAYS = { min: 1, max: Number.MAX_SAFE_INTEGER, unit: 'days', integer: true };

/** Cost controls resolved from the props (may be tokens). */
interface Controls {
  readonly cutoff: number;
  readonly limit: number;
  readonly period: Duration;
  readonly retention: Duration;
}

/**
 * An Athena workgroup for a team or workload (notes 4.3), with both of Athena's
 * cost controls and its configuration enforced:
 *
 * - `EnforceWorkGroupConfiguration`: clients cannot change the result location or
 *   turn result encryption off;
 * - results in a {@link SecureBucket} (or yours) under one prefix, encrypted SSE_KMS
 *   with the customer-managed key, expected bucket owner set, expired after 30 days;
 * - per-query control: `BytesScannedCutoffPerQuery` cancels a query that scans more
 *   (default 10 GiB; Athena's minimum is 10 MB);
 * - per-workgroup control: Athena's console builds it as a CloudWatch alarm on the
 *   workgroup's `ProcessedBytes` (sum per hour or day) with an SNS action; CloudFormation
 *   has no such property, so this construct creates that alarm itself, notifying a topic;
 * - CloudWatch query metrics on, Athena engine version 3, named queries;
 * - `grantQuery()`: run queries in THIS workgroup only, read/write its result
 *   prefix, use the key through S3/Athena, and optionally read given tables
 *   (directly, or through Lake Formation, which then vends the data credentials).
 *
 * The notes say Athena bills only successful or cancelled queries: that is still
 * true (failed queries are free), and a query cancelled by the cutoff is billed
 * for what it scanned until then.
 *
 * @example
 * const workgroup = new AnalyticsWorkgroup(this, 'Analysts', {
 *   workgroupName: 'analysts',
 *   bytesScannedCutoffPerQuery: Size.gibibytes(1),
 *   dataUsageLimit: Size.gibibytes(100),
 *   namedQueries: [{ name: 'daily-revenue', database: 'clickstream', queryString: 'SELECT day, sum(amount) FROM events GROUP BY day' }],
 * });
 * workgroup.grantQuery(analystRole, { tables: [events], lakeFormation: true });
 */
export class AnalyticsWorkgroup extends Construct {
  /** Workgroup name. */
  public readonly workgroupName: string;
  /** ARN of the workgroup. */
  public readonly workgroupArn: string;
  /** The L1 workgroup. */
  public readonly workgroup: athena.CfnWorkGroup;
  /** Bucket of the query results. */
  public readonly resultsBucket: s3.IBucket;
  /** The results SecureBucket, when this construct created it. */
  public readonly secureResultsBucket?: SecureBucket;
  /** Key prefix of the results. */
  public readonly resultsPrefix: string;
  /** `s3://<bucket>/<prefix>` of the results. */
  public readonly outputLocation: string;
  /** Key that encrypts the results (and the alarm topic this construct creates). */
  public readonly encryptionKey: kms.IKey;
  /** Per-query cutoff in bytes. */
  public readonly bytesScannedCutoffPerQuery: number;
  /** Alarm: the workgroup scanned more than the per-workgroup limit in the period. */
  public readonly dataUsageAlarm: cloudwatch.Alarm;
  /** The construct's alarms and the topic they notify. */
  public readonly monitoring: ConstructAlarms;
  /** Named queries, in the order added. */
  public readonly namedQueries: athena.CfnNamedQuery[] = [];

  constructor(scope: Construct, id: string, props: AnalyticsWorkgroupProps) {
    super(scope, id);
    const controls = this.validate(props);
    this.workgroupName = props.workgroupName;
    this.workgroupArn = Stack.of(this).formatArn({ service: 'athena', resource: 'workgroup', resourceName: this.workgroupName });
    this.bytesScannedCutoffPerQuery = controls.cutoff;
    this.encryptionKey = props.encryptionKey ?? props.existingResultsBucket?.encryptionKey
      ?? new DataKey(this, 'Key', { description: `Athena results key of ${this.node.path}` }).key;
    this.secureResultsBucket = props.existingResultsBucket ? undefined : this.createResultsBucket(controls.retention);
    this.resultsBucket = props.existingResultsBucket ?? this.secureResultsBucket!.bucket;
    this.resultsPrefix = props.resultsPrefix ?? `athena-results/${this.workgroupName}/`;
    this.outputLocation = `s3://${this.resultsBucket.bucketName}/${this.resultsPrefix}`;
    this.workgroup = this.createWorkgroup(props, controls);
    this.monitoring = new ConstructAlarms(this, { topic: props.alarmTopic, encryptionKey: this.encryptionKey });
    this.dataUsageAlarm = this.createDataUsageAlarm(controls);
    (props.namedQueries ?? []).forEach((q, i) => this.createNamedQuery(q, i));
    CustomerManagedPolicies.apply(this);
  }

  /** Every alarm of the workgroup. */
  public get alarms(): cloudwatch.Alarm[] {
    return this.monitoring.alarms;
  }

  /** The topic every alarm notifies. */
  public get alarmTopic(): sns.ITopic {
    return this.monitoring.topic;
  }

  /** `ProcessedBytes` of this workgroup's queries (sum over `period`). */
  public metricProcessedBytes(period: Duration = Duration.minutes(5)): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/Athena',
      metricName: 'ProcessedBytes',
      dimensionsMap: { WorkGroup: this.workgroupName },
      statistic: 'Sum',
      period,
    });
  }

  /** Saves a query in the workgroup. */
  public addNamedQuery(query: NamedQueryOptions): athena.CfnNamedQuery {
    this.validateQuery(query, 'query');
    return this.createNamedQuery(query, this.namedQueries.length);
  }

  /**
   * Grants running queries in this workgroup (and nowhere else), reading and
   * writing its result prefix, using the results key through S3 and Athena, and
   * reading the given tables: directly (catalog and the table prefix), or, with
   * `lakeFormation`, the catalog and `lakeformation:GetDataAccess` only (Lake Formation
   * grants, made separately, decide what data the credentials it vends cover).
   */
  public grantQuery(grantee: iam.IGrantable, options: QueryGrantOptions = {}): iam.Grant {
    const grant = iam.Grant.addToPrincipal({ grantee, actions: QUERY_ACTIONS, resourceArns: [this.workgroupArn] });
    this.grantResults(grantee);
    const tables = options.tables ?? [];
    if (options.lakeFormation) {
      tables.forEach((t) => t.grantReadMetadata(grantee));
      iam.Grant.addToPrincipal({ grantee, actions: ['lakeformation:GetDataAccess'], resourceArns: ['*'] });
    } else {
      tables.forEach((t) => t.grantRead(grantee));
    }
    const principal = grantee.grantPrincipal as unknown as IConstruct;
    if (Construct.isConstruct(principal)) this.acknowledgeGrant(principal, tables, options.lakeFormation ?? false);
    return grant;
  }

  private validate(props: AnalyticsWorkgroupProps): Controls {
    Validate.resourceName(this, 'workgroupName', props.workgroupName, AthenaLimits.WORKGROUP_NAME);
    Validate.resourceName(this, 'description', props.description, AthenaLimits.WORKGROUP_DESCRIPTION);
    const cutoff = Validate.size(this, props.bytesScannedCutoffPerQuery ?? Size.gibibytes(10), { prop: 'bytesScannedCutoffPerQuery', in: SizeUnit.BYTES, ...BYTES })!;
    const min = AthenaLimits.BYTES_SCANNED_CUTOFF.min;
    Validate.that(this, Token.isUnresolved(cutoff) || cutoff >= min, {
      prop: 'bytesScannedCutoffPerQuery', value: `${cutoff} bytes`, allowed: `at least ${min} bytes (10 MB, Athena's minimum)`,
    });
    const limit = Validate.size(this, props.dataUsageLimit ?? Size.tebibytes(1), { prop: 'dataUsageLimit', in: SizeUnit.BYTES, ...BYTES })!;
    Validate.that(this, Token.isUnresolved(limit) || Token.isUnresolved(cutoff) || limit >= cutoff, {
      prop: 'dataUsageLimit', value: `${limit} bytes`, allowed: `at least bytesScannedCutoffPerQuery (${cutoff} bytes)`,
    });
    const period = props.dataUsagePeriod ?? Duration.days(1);
    // a token period reaches the alarm unchecked, in seconds (the unit CloudWatch takes it in)
    Validate.duration(this, period, period.isUnresolved()
      ? { prop: 'dataUsagePeriod', in: TimeUnit.SECONDS, ...BYTES }
      : { prop: 'dataUsagePeriod', in: TimeUnit.MINUTES, ...AthenaLimits.DATA_USAGE_PERIOD_MINUTES });
    Validate.pattern(this, 'resultsPrefix', PREFIX, 'S3 key segments each ending with "/", without a leading "/"', props.resultsPrefix);
    const retention = props.resultsRetention ?? Duration.days(30);
    Validate.that(this, !(props.existingResultsBucket && props.resultsRetention), {
      prop: 'resultsRetention', value: retention.toString(), allowed: 'not set together with existingResultsBucket (configure its lifecycle yourself)',
    });
    Validate.duration(this, retention, { prop: 'resultsRetention', in: TimeUnit.DAYS, ...EXPIRATION_DAYS });
    (props.namedQueries ?? []).forEach((q, i) => this.validateQuery(q, `namedQueries[${i}]`));
    Validate.unique(this, 'namedQueries[].name', (props.namedQueries ?? []).map((q) => q.name));
    return { cutoff, limit, period, retention };
  }

  private createResultsBucket(retention: Duration): SecureBucket {
    return new SecureBucket(this, 'Results', {
      encryptionKey: this.encryptionKey,
      lifecycle: {
        infrequentAccessAfter: Duration.days(0),
        archiveAfter: Duration.days(0),
        expireAfter: retention,
        noncurrentVersionExpiration: Duration.days(1),
      },
    });
  }

  private createWorkgroup(props: AnalyticsWorkgroupProps, c: Controls): athena.CfnWorkGroup {
    const workgroup = new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: this.workgroupName,
      description: props.description,
      state: 'ENABLED',
      recursiveDeleteOption: Sandbox.isEnabled(this),
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        requesterPaysEnabled: false,
        bytesScannedCutoffPerQuery: c.cutoff,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: this.outputLocation,
          expectedBucketOwner: Stack.of(this).account,
          encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKey: this.encryptionKey.keyArn },
        },
      },
    });
    workgroup.applyRemovalPolicy(Sandbox.removalPolicy(this));
    return workgroup;
  }

  private createDataUsageAlarm(c: Controls): cloudwatch.Alarm {
    const usage = Token.isUnresolved(c.limit) ? 'the per-workgroup limit' : `${c.limit} bytes`;
    const period = c.period.isUnresolved() ? 'the period' : c.period.toHumanString();
    const alarm = this.monitoring.add('DataUsageAlarm', {
      // aws-cdk-lib's Metric refuses a token period, which CloudFormation accepts: the L1 property takes it below
      metric: this.metricProcessedBytes(c.period.isUnresolved() ? Duration.days(1) : c.period),
      threshold: c.limit,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      description: `Queries of Athena workgroup ${this.workgroupName} scanned more than ${usage} in ${period} (per-workgroup data usage control).`,
    });
    if (c.period.isUnresolved()) (alarm.node.defaultChild as cloudwatch.CfnAlarm).period = c.period.toSeconds();
    return alarm;
  }

  /** Result files under the prefix, the listing of the prefix, and the results key through S3 and Athena. */
  private grantResults(grantee: iam.IGrantable): void {
    const region = Stack.of(this).region;
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:GetBucketLocation', 's3:ListBucket'],
      resourceArns: [this.resultsBucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': [this.resultsPrefix, `${this.resultsPrefix}*`] } },
    });
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
      resourceArns: [this.resultsBucket.arnForObjects(`${this.resultsPrefix}*`)],
    });
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resourceArns: [this.encryptionKey.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': [`s3.${region}.amazonaws.com`, `athena.${region}.amazonaws.com`] } },
    });
  }

  /** The wildcards of a query grant, each with its reason, on the grantee (imported buckets included). */
  private acknowledgeGrant(principal: IConstruct, tables: IDataLakeTable[], lakeFormation: boolean): void {
    NagAcknowledgements.objectsUnder(principal, this.resultsBucket, this.resultsPrefix,
      `Athena writes each query's result files under the workgroup's result prefix with generated names; the wildcard stops at ${this.resultsPrefix}.`);
    if (lakeFormation) {
      NagAcknowledgements.acknowledge(principal, 'AwsSolutions-IAM5[Resource::*]',
        'lakeformation:GetDataAccess supports no resource-level permissions; Lake Formation grants decide which data the credentials cover (grantQuery lakeFormation: true).');
      return;
    }
    for (const t of tables) {
      NagAcknowledgements.objectsUnder(principal, t.bucket, t.prefix,
        `Queries read every partition file under the table prefix ${t.prefix}; the wildcard stops at that prefix (use lakeFormation: true for row/column-level grants).`);
    }
    if (tables.some((t) => t.bucket.encryptionKey)) {
      for (const action of ['kms:GenerateDataKey*', 'kms:ReEncrypt*']) {
        NagAcknowledgements.wildcardAction(principal, action, 'Added by aws-cdk-lib\'s bucket grantRead for the table bucket key; scoped to that one key ARN.');
      }
    }
    if (tables.length > 0) {
      for (const action of ['s3:GetObject*', 's3:GetBucket*', 's3:List*']) {
        NagAcknowledgements.wildcardAction(principal, action, 'Read actions of aws-cdk-lib\'s bucket grantRead, scoped to the table bucket and prefix ARNs.');
      }
    }
  }

  /** Construct id from the query's name (stable); a token name falls back to its position. */
  private createNamedQuery(query: NamedQueryOptions, index: number): athena.CfnNamedQuery {
    const named = new athena.CfnNamedQuery(this, Token.isUnresolved(query.name) ? `Query${index}` : `Query-${query.name}`, {
      name: query.name,
      database: query.database,
      queryString: query.queryString,
      description: query.description,
      workGroup: this.workgroup.ref,
    });
    this.namedQueries.push(named);
    return named;
  }

  private validateQuery(q: NamedQueryOptions, prop: string): void {
    Validate.resourceName(this, `${prop}.name`, q.name, AthenaLimits.NAMED_QUERY_NAME);
    Validate.resourceName(this, `${prop}.database`, q.database, AthenaLimits.DATABASE_NAME);
    Validate.resourceName(this, `${prop}.description`, q.description, AthenaLimits.NAMED_QUERY_DESCRIPTION);
    if (Token.isUnresolved(q.queryString)) return;
    const bytes = Buffer.byteLength(q.queryString, 'utf8');
    Validate.that(this, q.queryString.trim().length > 0 && bytes <= AthenaLimits.QUERY_STRING_BYTES.max, {
      prop: `${prop}.queryString`, value: `${bytes} bytes`, allowed: `non-empty SQL of at most ${AthenaLimits.QUERY_STRING_BYTES.max} bytes`,
    });
  }
}
