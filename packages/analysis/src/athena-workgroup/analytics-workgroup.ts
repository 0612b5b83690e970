import { AlarmNotifications, NagAcknowledgements, Sandbox, Validate } from '@analytics-patterns/core';
import { DataKey } from '@analytics-patterns/security';
import { SecureBucket } from '@analytics-patterns/storage';
import { Duration, Size, Stack } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IConstruct } from 'constructs';
import { AnalyticsWorkgroupProps, NamedQueryOptions, QueryGrantOptions } from './analytics-workgroup-props';

/** Athena's minimum per-query cutoff (bytes). */
const MIN_CUTOFF = 10_000_000;
const PREFIX = '^([A-Za-z0-9!_.*\'()=-]+/)+$';

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
 *   has no such property, so this construct creates that alarm itself;
 * - CloudWatch query metrics on, Athena engine version 3, named queries;
 * - `grantQuery()`: run queries in THIS workgroup only, read/write its result
 *   prefix, use the key through S3/Athena, and optionally read given tables
 *   (directly or through Lake Formation).
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
  /** Key that encrypts the results. */
  public readonly encryptionKey: kms.IKey;
  /** Per-query cutoff in bytes. */
  public readonly bytesScannedCutoffPerQuery: number;
  /** Alarm: the workgroup scanned more than the per-workgroup limit in the period. */
  public readonly dataUsageAlarm: cloudwatch.Alarm;
  /** Named queries, in the order added. */
  public readonly namedQueries: athena.CfnNamedQuery[] = [];

  constructor(scope: Construct, id: string, props: AnalyticsWorkgroupProps) {
    super(scope, id);
    Validate.pattern(this, 'workgroupName', '^[a-zA-Z0-9._-]{1,128}$', '1-128 letters, digits, ".", "_" and "-"', props.workgroupName);
    const cutoff = (props.bytesScannedCutoffPerQuery ?? Size.gibibytes(10)).toBytes();
    Validate.that(this, Number.isInteger(cutoff) && cutoff >= MIN_CUTOFF, {
      prop: 'bytesScannedCutoffPerQuery', value: `${cutoff} bytes`, allowed: `at least ${MIN_CUTOFF} bytes (10 MB, Athena's minimum)`,
    });
    const limit = (props.dataUsageLimit ?? Size.tebibytes(1)).toBytes();
    Validate.that(this, limit >= cutoff, {
      prop: 'dataUsageLimit', value: `${limit} bytes`, allowed: `at least bytesScannedCutoffPerQuery (${cutoff} bytes)`,
    });
    const period = props.dataUsagePeriod ?? Duration.days(1);
    Validate.integer(this, 'dataUsagePeriod', 60, 1440, period.toMinutes({ integral: false }), 'minutes');
    if (props.resultsPrefix !== undefined) {
      Validate.pattern(this, 'resultsPrefix', PREFIX, 'S3 key segments each ending with "/", without a leading "/"', props.resultsPrefix);
    }
    const retention = props.resultsRetention ?? Duration.days(30);
    Validate.that(this, !(props.existingResultsBucket && props.resultsRetention), {
      prop: 'resultsRetention', value: retention.toHumanString(), allowed: 'not set together with existingResultsBucket (configure its lifecycle yourself)',
    });
    Validate.integer(this, 'resultsRetention', 1, 36500, retention.toDays({ integral: false }), 'days');
    (props.namedQueries ?? []).forEach((q, i) => this.validateQuery(q, `namedQueries[${i}]`));
    Validate.unique(this, 'namedQueries[].name', (props.namedQueries ?? []).map((q) => q.name));

    const stack = Stack.of(this);
    this.workgroupName = props.workgroupName;
    this.workgroupArn = stack.formatArn({ service: 'athena', resource: 'workgroup', resourceName: this.workgroupName });
    this.bytesScannedCutoffPerQuery = cutoff;
    this.encryptionKey = props.encryptionKey ?? props.existingResultsBucket?.encryptionKey
      ?? new DataKey(this, 'Key', { description: `Athena results key of ${this.node.path}` }).key;
    if (props.existingResultsBucket) {
      this.resultsBucket = props.existingResultsBucket;
    } else {
      this.secureResultsBucket = new SecureBucket(this, 'Results', {
        encryptionKey: this.encryptionKey,
        lifecycle: {
          infrequentAccessAfter: Duration.days(0),
          archiveAfter: Duration.days(0),
          expireAfter: retention,
          noncurrentVersionExpiration: Duration.days(1),
        },
      });
      this.resultsBucket = this.secureResultsBucket.bucket;
    }
    this.resultsPrefix = props.resultsPrefix ?? `athena-results/${this.workgroupName}/`;
    this.outputLocation = `s3://${this.resultsBucket.bucketName}/${this.resultsPrefix}`;

    this.workgroup = new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: this.workgroupName,
      description: props.description,
      state: 'ENABLED',
      recursiveDeleteOption: Sandbox.isEnabled(this),
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        requesterPaysEnabled: false,
        bytesScannedCutoffPerQuery: cutoff,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: this.outputLocation,
          expectedBucketOwner: stack.account,
          encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKey: this.encryptionKey.keyArn },
        },
      },
    });
    this.workgroup.applyRemovalPolicy(Sandbox.removalPolicy(this));

    this.dataUsageAlarm = this.metricProcessedBytes(period).createAlarm(this, 'DataUsageAlarm', {
      alarmDescription: `Queries of Athena workgroup ${this.workgroupName} scanned more than ${limit} bytes in ${period.toHumanString()} (per-workgroup data usage control).`,
      threshold: limit,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    AlarmNotifications.notify([this.dataUsageAlarm], props.alarmTopic);

    for (const q of props.namedQueries ?? []) this.createNamedQuery(q);
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
    return this.createNamedQuery(query);
  }

  /**
   * Grants running queries in this workgroup (and nowhere else), reading and
   * writing its result prefix, using the results key through S3 and Athena, and
   * reading the given tables.
   */
  public grantQuery(grantee: iam.IGrantable, options: QueryGrantOptions = {}): iam.Grant {
    const stack = Stack.of(this);
    const grant = iam.Grant.addToPrincipal({
      grantee,
      actions: [
        'athena:StartQueryExecution', 'athena:StopQueryExecution', 'athena:GetQueryExecution', 'athena:GetQueryResults',
        'athena:GetQueryResultsStream', 'athena:GetQueryRuntimeStatistics', 'athena:ListQueryExecutions',
        'athena:BatchGetQueryExecution', 'athena:GetWorkGroup', 'athena:ListNamedQueries', 'athena:GetNamedQuery',
        'athena:BatchGetNamedQuery',
      ],
      resourceArns: [this.workgroupArn],
    });
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:GetBucketLocation', 's3:ListBucket'],
      resourceArns: [this.resultsBucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': [this.resultsPrefix, `${this.resultsPrefix}*`] } },
    });
    const results = this.resultsBucket.arnForObjects(`${this.resultsPrefix}*`);
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
      resourceArns: [results],
    });
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resourceArns: [this.encryptionKey.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': [`s3.${stack.region}.amazonaws.com`, `athena.${stack.region}.amazonaws.com`] } },
    });
    const tables = options.tables ?? [];
    if (options.lakeFormation) {
      tables.forEach((t) => t.grantReadMetadata(grantee));
      iam.Grant.addToPrincipal({ grantee, actions: ['lakeformation:GetDataAccess'], resourceArns: ['*'] });
    } else {
      tables.forEach((t) => t.grantRead(grantee));
    }

    const principal = grantee.grantPrincipal as unknown as IConstruct;
    if (Construct.isConstruct(principal)) {
      const resultsNag = this.nagArn(results);
      NagAcknowledgements.acknowledge(principal, `AwsSolutions-IAM5[Resource::${resultsNag}]`,
        `Athena writes each query's result files under the workgroup's result prefix with generated names; the wildcard stops at ${this.resultsPrefix}.`);
      if (options.lakeFormation) {
        NagAcknowledgements.acknowledge(principal, 'AwsSolutions-IAM5[Resource::*]',
          'lakeformation:GetDataAccess supports no resource-level permissions; Lake Formation grants decide which data the credentials cover.');
      }
      if (!options.lakeFormation) {
        for (const t of tables) {
          NagAcknowledgements.acknowledge(principal, `AwsSolutions-IAM5[Resource::${this.nagArn(t.bucket.arnForObjects(`${t.prefix}*`))}]`,
            `Queries read every partition file under the table prefix ${t.prefix}; the wildcard stops at that prefix.`);
        }
        if (tables.some((t) => t.bucket.encryptionKey)) {
          for (const action of ['kms:GenerateDataKey*', 'kms:ReEncrypt*']) {
            NagAcknowledgements.acknowledge(principal, `AwsSolutions-IAM5[Action::${action}]`,
              'Added by aws-cdk-lib\'s bucket grantRead for the table bucket key; scoped to that one key ARN.');
          }
        }
        for (const action of ['s3:GetObject*', 's3:GetBucket*', 's3:List*']) {
          NagAcknowledgements.acknowledge(principal, `AwsSolutions-IAM5[Action::${action}]`,
            'Read actions of aws-cdk-lib\'s bucket grantRead, scoped to the table bucket and prefix ARNs.');
        }
      }
    }
    return grant;
  }

  private nagArn(arn: string): string {
    const render = (v: any): string => {
      if (typeof v === 'string') return v;
      if (v && typeof v === 'object') {
        if ('Ref' in v) return `<${v.Ref}>`;
        if ('Fn::GetAtt' in v) return `<${v['Fn::GetAtt'][0]}.${v['Fn::GetAtt'][1]}>`;
        if ('Fn::Join' in v) return (v['Fn::Join'][1] as any[]).map(render).join(v['Fn::Join'][0]);
      }
      return JSON.stringify(v);
    };
    return render(Stack.of(this).resolve(arn));
  }

  private createNamedQuery(query: NamedQueryOptions): athena.CfnNamedQuery {
    const named = new athena.CfnNamedQuery(this, `Query-${query.name}`, {
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
    Validate.that(this, q.name.length >= 1 && q.name.length <= 128, { prop: `${prop}.name`, value: q.name, allowed: '1-128 characters' });
    Validate.pattern(this, `${prop}.database`, '^[a-z0-9_]{1,255}$', '1-255 lower-case letters, digits and "_"', q.database);
    const bytes = Buffer.byteLength(q.queryString, 'utf8');
    Validate.that(this, q.queryString.trim().length > 0 && bytes <= 262_144, {
      prop: `${prop}.queryString`, value: `${bytes} bytes`, allowed: 'non-empty SQL of at most 262,144 bytes',
    });
  }
}
