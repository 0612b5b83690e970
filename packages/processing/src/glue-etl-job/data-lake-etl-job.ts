import * as path from 'path';
import { CustomerManagedPolicies, GlueLimits, Limit, NagAcknowledgements, TimeUnit, Validate } from '@analytics-patterns/core';
import { Duration, Names, Stack, Token } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct, IConstruct } from 'constructs';
import { DataLakeEtlJobProps, EtlTarget, GlueJobType, GlueWorkerType } from './data-lake-etl-job-props';
import { acknowledgeObjectWildcards } from '../common/s3-access';
import { GlueSecurityConfiguration } from '../glue-crawler/glue-security-configuration';

const ASSETS = path.join(__dirname, '..', '..', 'assets', 'glue');
const PREFIX = '^([A-Za-z0-9!_.*\'()=-]+/)+$';
/** Workers per worker type (GlueLimits). */
const WORKERS: Record<GlueWorkerType, Limit> = {
  [GlueWorkerType.G_1X]: GlueLimits.WORKERS_G_1X,
  [GlueWorkerType.G_2X]: GlueLimits.WORKERS_G_2X,
  [GlueWorkerType.G_4X]: GlueLimits.WORKERS_G_4X,
  [GlueWorkerType.G_8X]: GlueLimits.WORKERS_G_8X,
};
const DEFAULT_TIMEOUT = Duration.hours(2);

/**
 * A Glue job as a workflow starts it: a {@link DataLakeEtlJob}, or a job of yours (for
 * example a `glue.CfnJob` in a construct of your own).
 */
export interface IDataLakeEtlJob extends IConstruct {
  /** Job name (a plain string or a token). */
  readonly jobName: string;
}

/**
 * A Glue ETL job over a catalogued table (notes 3.1): Spark by default, or a
 * Python shell job for light single-node tasks.
 *
 * - The script is a file of this package (`assets/glue/raw_to_curated.py`: read
 *   the source table's new data, drop null fields and duplicates, write Snappy
 *   Parquet under Hive-style partitions, update the target table's partitions),
 *   shipped as an S3 asset; bring your own with `scriptPath`.
 * - Job bookmarks are on (Spark), so each run reads only files earlier runs did not;
 *   concurrency is then forced to 1. Python shell jobs have no bookmarks.
 * - Worker type and count are checked against Glue's documented ranges (at least 2
 *   Spark workers; at most 299 G.1X or 149 G.2X); Python shell capacity is 0.0625 or 1 DPU.
 *   The notes' "DPUs" are the unit: a G.1X worker is 1 DPU, G.2X 2 DPU.
 * - A security configuration encrypts the job's logs, bookmarks and S3 output with
 *   the CMK; job metrics and continuous logging are on.
 * - Least-privilege role: the script object, read on the source prefix and table,
 *   write on the target prefix and table, decrypt/encrypt through S3 only, logs on
 *   `/aws-glue/jobs*`, metrics in the `Glue` namespace only.
 *
 * Glue reads the partitions registered in the catalog (it ignores Athena partition
 * projection), so schedule the job after a crawler with {@link CatalogAndTransformWorkflow}.
 * The role carries no `AWSGlueServiceRole` managed policy (glue:*, every `aws-glue-*`
 * bucket, ec2:*): jobs that need a `--TempDir`, connections or a VPC need those
 * grants added to `policy`.
 *
 * @example
 * const job = new DataLakeEtlJob(this, 'RawToCurated', {
 *   source: rawEvents,                      // a DataLakeTable (any IDataLakeTable)
 *   target: { bucket: lake.curated.bucket, prefix: 'events/' },
 *   workerType: GlueWorkerType.G_1X,
 *   numberOfWorkers: 4,
 * });
 */
export class DataLakeEtlJob extends Construct implements IDataLakeEtlJob {
  /** Job name (plain string, for triggers). */
  public readonly jobName: string;
  /** ARN of the job. */
  public readonly jobArn: string;
  /** The L1 job. */
  public readonly job: glue.CfnJob;
  /** The job's role. */
  public readonly role: iam.Role;
  /** The role's policy. */
  public readonly policy: iam.Policy;
  /** The script asset. */
  public readonly script: s3assets.Asset;
  /** The security configuration. */
  public readonly securityConfiguration: GlueSecurityConfiguration;
  /** The key of the security configuration (logs, bookmarks, S3 output). */
  public readonly encryptionKey: kms.IKey;
  /** Job type. */
  public readonly jobType: GlueJobType;
  /** Whether job bookmarks are on. */
  public readonly jobBookmarks: boolean;

  constructor(scope: Construct, id: string, props: DataLakeEtlJobProps) {
    super(scope, id);
    this.jobType = props.jobType ?? GlueJobType.SPARK;
    const spark = this.jobType === GlueJobType.SPARK;
    this.jobBookmarks = spark && (props.jobBookmarks ?? true);
    this.validate(props, spark);
    CustomerManagedPolicies.apply(this);

    const stack = Stack.of(this);
    this.jobName = props.jobName ?? Names.uniqueResourceName(this, { maxLength: GlueLimits.RESOURCE_NAME.maxLength });
    this.jobArn = stack.formatArn({ service: 'glue', resource: 'job', resourceName: this.jobName });
    this.script = new s3assets.Asset(this, 'Script', {
      path: props.scriptPath ?? path.join(ASSETS, spark ? 'raw_to_curated.py' : 'partition_report.py'),
    });
    const outputKey = props.target?.bucket.encryptionKey ?? props.source.bucket.encryptionKey;
    this.securityConfiguration = props.securityConfiguration
      ?? new GlueSecurityConfiguration(this, 'SecurityConfiguration', { encryptionKey: outputKey });
    this.encryptionKey = this.securityConfiguration.encryptionKey;

    this.role = new iam.Role(this, 'Role', {
      description: `Glue job role of ${this.node.path}`,
      // Glue documents no confused-deputy condition keys for its service roles; a role can only be
      // given to a job by a principal of this account allowed iam:PassRole on it
      assumedBy: new iam.ServicePrincipal('glue.amazonaws.com'),
    });
    this.policy = new iam.Policy(this, 'Policy', { roles: [this.role] });
    this.grantRun(props);
    this.job = this.createJob(props, spark);
  }

  private jobArguments(props: DataLakeEtlJobProps, spark: boolean): Record<string, string> {
    const source = { '--source_database': props.source.databaseName, '--source_table': props.source.tableName };
    if (!spark) return source;
    const target = props.target!;
    const partitionKeys = target.partitionKeys ?? props.source.partitionKeys.map((k) => k.name);
    return {
      '--job-language': 'python',
      '--job-bookmark-option': this.jobBookmarks ? 'job-bookmark-enable' : 'job-bookmark-disable',
      '--enable-metrics': 'true',
      '--enable-continuous-cloudwatch-log': 'true',
      '--enable-glue-datacatalog': 'true',
      ...source,
      '--target_path': `s3://${target.bucket.bucketName}/${target.prefix}`,
      '--partition_keys': partitionKeys.length > 0 ? partitionKeys.join(',') : '-',
      '--target_database': target.database?.databaseName ?? '-',
      '--target_table': target.tableName ?? '-',
    };
  }

  private createJob(props: DataLakeEtlJobProps, spark: boolean): glue.CfnJob {
    const timeout = Validate.duration(this, props.timeout ?? DEFAULT_TIMEOUT, { prop: 'timeout', in: TimeUnit.MINUTES, ...GlueLimits.JOB_TIMEOUT_MINUTES });
    // the L1: aws-cdk-lib's Glue job L2 is in the alpha module
    const job = new glue.CfnJob(this, 'Job', {
      name: this.jobName,
      description: `${spark ? 'Spark ETL' : 'Python shell'} job of ${this.node.path} reading ${props.source.databaseName}.${props.source.tableName}`,
      role: this.role.roleArn,
      command: {
        name: this.jobType,
        scriptLocation: this.script.s3ObjectUrl,
        pythonVersion: spark ? '3' : '3.9',
      },
      glueVersion: props.glueVersion ?? (spark ? '5.0' : '3.0'),
      workerType: spark ? props.workerType ?? GlueWorkerType.G_1X : undefined,
      numberOfWorkers: spark ? props.numberOfWorkers ?? 2 : undefined,
      maxCapacity: spark ? undefined : props.pythonShellCapacity ?? GlueLimits.PYTHON_SHELL_CAPACITIES[0],
      timeout,
      maxRetries: props.maxRetries ?? 0,
      executionProperty: { maxConcurrentRuns: props.maxConcurrentRuns ?? 1 },
      securityConfiguration: this.securityConfiguration.securityConfigurationName,
      defaultArguments: this.jobArguments(props, spark),
    });
    job.node.addDependency(this.policy);
    job.node.addDependency(this.securityConfiguration.resource);
    return job;
  }

  private grantRun(props: DataLakeEtlJobProps): void {
    const source = props.source;
    this.policy.addStatements(
      new iam.PolicyStatement({
        sid: 'ReadScript',
        actions: ['s3:GetObject'],
        resources: [this.script.bucket.arnForObjects(this.script.s3ObjectKey)],
      }),
      new iam.PolicyStatement({
        sid: 'ReadSourceTable',
        actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetPartition', 'glue:GetPartitions', 'glue:BatchGetPartition'],
        resources: [source.database.catalogArn, source.database.databaseArn, source.tableArn],
      }),
      ...this.prefixStatements('Source', source.bucket, source.prefix, ['s3:GetObject']),
      ...(props.target ? this.targetStatements(props.target) : []),
      ...this.keyStatements(props),
      new iam.PolicyStatement({
        sid: 'JobMetrics',
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: { StringEquals: { 'cloudwatch:namespace': 'Glue' } },
      }),
    );
    this.securityConfiguration.addUseStatements(this.policy, 'jobs', this.jobBookmarks);
    if (props.lakeFormationGoverned) {
      this.policy.addStatements(new iam.PolicyStatement({ sid: 'LakeFormationDataAccess', actions: ['lakeformation:GetDataAccess'], resources: ['*'] }));
    }
    this.acknowledgeWildcards(props);
  }

  /** Write the target prefix and, with a catalog table, update that table and its partitions. */
  private targetStatements(target: EtlTarget): iam.PolicyStatement[] {
    const statements = this.prefixStatements('Target', target.bucket, target.prefix, ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload']);
    if (target.database && target.tableName) {
      statements.push(new iam.PolicyStatement({
        sid: 'UpdateTargetTable',
        actions: [
          'glue:GetDatabase', 'glue:GetTable', 'glue:CreateTable', 'glue:UpdateTable', 'glue:GetPartition', 'glue:GetPartitions',
          'glue:BatchGetPartition', 'glue:CreatePartition', 'glue:BatchCreatePartition', 'glue:UpdatePartition',
        ],
        resources: [
          target.database.catalogArn, target.database.databaseArn,
          Stack.of(this).formatArn({ service: 'glue', resource: 'table', resourceName: `${target.database.databaseName}/${target.tableName}` }),
        ],
      }));
    }
    return statements;
  }

  /** Decrypt the source through S3; encrypt the target through S3 with its key and the security configuration's. */
  private keyStatements(props: DataLakeEtlJobProps): iam.PolicyStatement[] {
    const viaS3 = { StringEquals: { 'kms:ViaService': `s3.${Stack.of(this).region}.amazonaws.com` } };
    const decryptKeys = new Set<kms.IKey>(props.source.bucket.encryptionKey ? [props.source.bucket.encryptionKey] : []);
    const encryptKeys = new Set<kms.IKey>();
    if (props.target) {
      if (props.target.bucket.encryptionKey) encryptKeys.add(props.target.bucket.encryptionKey);
      // the security configuration's SSE-KMS setting makes Glue write objects with ITS key
      encryptKeys.add(this.securityConfiguration.encryptionKey);
    }
    const statements: iam.PolicyStatement[] = [];
    if (decryptKeys.size > 0) {
      statements.push(new iam.PolicyStatement({ sid: 'DecryptSource', actions: ['kms:Decrypt'], resources: [...decryptKeys].map((k) => k.keyArn), conditions: viaS3 }));
    }
    if (encryptKeys.size > 0) {
      statements.push(new iam.PolicyStatement({
        sid: 'EncryptTarget', actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [...encryptKeys].map((k) => k.keyArn), conditions: viaS3,
      }));
    }
    return statements;
  }

  private acknowledgeWildcards(props: DataLakeEtlJobProps): void {
    NagAcknowledgements.acknowledge(this.policy, 'AwsSolutions-IAM5[Resource::*]',
      'cloudwatch:PutMetricData (restricted to the Glue namespace by condition) and lakeformation:GetDataAccess support no resource-level permissions.');
    const locations = [
      { bucket: props.source.bucket, prefix: props.source.prefix },
      ...(props.target ? [{ bucket: props.target.bucket, prefix: props.target.prefix }] : []),
    ];
    acknowledgeObjectWildcards(this.policy, locations,
      'The job reads/writes the partition files under its source and target prefixes, whose names Spark generates; the wildcard stops at the prefix.');
    NagAcknowledgements.acknowledge(this.policy, `AwsSolutions-IAM5[${NagAcknowledgements.resourceFinding(this, this.securityConfiguration.logGroupArn('jobs'))}]`,
      'Glue names the job log groups and streams itself (/aws-glue/jobs/... with the security configuration suffix); the wildcard stops at that prefix.');
  }

  private prefixStatements(sid: string, bucket: s3.IBucket, prefix: string, objectActions: string[]): iam.PolicyStatement[] {
    return [
      new iam.PolicyStatement({
        sid: `List${sid}`,
        actions: ['s3:ListBucket'],
        resources: [bucket.bucketArn],
        conditions: prefix === '' ? undefined : { StringLike: { 's3:prefix': [prefix, `${prefix}*`] } },
      }),
      new iam.PolicyStatement({ sid: `Objects${sid}`, actions: objectActions, resources: [bucket.arnForObjects(`${prefix}*`)] }),
    ];
  }

  private validate(props: DataLakeEtlJobProps, spark: boolean): void {
    Validate.resourceName(this, 'jobName', props.jobName, GlueLimits.RESOURCE_NAME);
    if (spark) this.validateSpark(props);
    else this.validatePythonShell(props);
    Validate.duration(this, props.timeout, { prop: 'timeout', in: TimeUnit.MINUTES, ...GlueLimits.JOB_TIMEOUT_MINUTES });
    Validate.number(this, props.maxRetries, { prop: 'maxRetries', ...GlueLimits.JOB_MAX_RETRIES });
    Validate.number(this, props.maxConcurrentRuns, { prop: 'maxConcurrentRuns', ...GlueLimits.MAX_CONCURRENT_RUNS });
    if (props.target) this.validateTarget(props);
  }

  private validateSpark(props: DataLakeEtlJobProps): void {
    Validate.oneOf(this, 'glueVersion', GlueLimits.SPARK_GLUE_VERSIONS, props.glueVersion);
    Validate.that(this, props.target !== undefined, { prop: 'target', value: undefined, allowed: 'an output location for Spark jobs' });
    Validate.that(this, props.pythonShellCapacity === undefined, { prop: 'pythonShellCapacity', value: props.pythonShellCapacity, allowed: 'only with GlueJobType.PYTHON_SHELL (Spark capacity is workerType x numberOfWorkers)' });
    const workerType = props.workerType ?? GlueWorkerType.G_1X;
    Validate.number(this, props.numberOfWorkers, { prop: 'numberOfWorkers', ...WORKERS[workerType] });
    const concurrent = props.maxConcurrentRuns ?? 1;
    if (this.jobBookmarks && !Token.isUnresolved(concurrent)) {
      Validate.that(this, concurrent === 1, {
        prop: 'maxConcurrentRuns', value: props.maxConcurrentRuns, allowed: '1 with job bookmarks (concurrent runs would process the same new data)',
      });
    }
  }

  private validatePythonShell(props: DataLakeEtlJobProps): void {
    Validate.oneOf(this, 'glueVersion', GlueLimits.PYTHON_SHELL_GLUE_VERSIONS, props.glueVersion);
    for (const p of ['workerType', 'numberOfWorkers'] as const) {
      Validate.that(this, props[p] === undefined, { prop: p, value: props[p], allowed: 'only with GlueJobType.SPARK (Python shell jobs use pythonShellCapacity)' });
    }
    Validate.that(this, props.jobBookmarks !== true, { prop: 'jobBookmarks', value: true, allowed: 'false or unset: Python shell jobs have no job bookmarks' });
    const capacity = props.pythonShellCapacity;
    if (capacity !== undefined && !Token.isUnresolved(capacity)) {
      Validate.that(this, GlueLimits.PYTHON_SHELL_CAPACITIES.includes(capacity), {
        prop: 'pythonShellCapacity', value: capacity, allowed: `${GlueLimits.PYTHON_SHELL_CAPACITIES.join(' or ')} DPU`,
      });
    }
  }

  private validateTarget(props: DataLakeEtlJobProps): void {
    const target = props.target!;
    Validate.pattern(this, 'target.prefix', PREFIX, 'S3 key segments each ending with "/", without a leading "/"', target.prefix);
    Validate.that(this, (target.database === undefined) === (target.tableName === undefined), {
      prop: 'target.tableName', value: target.tableName, allowed: 'set together with target.database (both or neither)',
    });
    Validate.resourceName(this, 'target.tableName', target.tableName, GlueLimits.TABLE_NAME);
    const tokens = Token.isUnresolved(target.prefix) || Token.isUnresolved(props.source.prefix);
    const sameLocation = !tokens && target.bucket === props.source.bucket
      && (target.prefix.startsWith(props.source.prefix) || props.source.prefix.startsWith(target.prefix));
    Validate.that(this, !sameLocation, {
      prop: 'target.prefix',
      value: target.prefix,
      allowed: `a location outside the source prefix "${props.source.prefix}" (the job would re-read its own output)`,
    });
  }
}
