import { AlarmNotifications, NagAcknowledgements, PrivateSubnets, Sandbox, SearchCapacity, SearchEstimate, Validate } from '@analytics-patterns/core';
import { DataKey } from '@analytics-patterns/security';
import { ArnFormat, Duration, Names, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import { Construct } from 'constructs';
import { SearchDomainProps } from './search-domain-props';

const LOG_TYPES = ['SearchSlowLogs', 'IndexSlowLogs', 'ApplicationLogs', 'AuditLogs'] as const;

/**
 * An Amazon OpenSearch Service domain laid out as the notes (4.2) recommend:
 * three dedicated master nodes (no split brain), data nodes spread over three
 * Availability Zones, storage sized from the data with AWS's formula, optional
 * UltraWarm and cold tiers (with their prerequisites checked at synth).
 *
 * Secure by default: inside a VPC (no public endpoint), encryption at rest with a
 * customer-managed key, node-to-node encryption, HTTPS only with TLS 1.2 (PFS),
 * fine-grained access control with an IAM master role, a domain policy naming the
 * principals allowed, slow/application/audit logs to encrypted log groups (the
 * log resource policy is a native CloudFormation resource, not a custom resource),
 * and alarms on red status, free storage, JVM memory pressure (the notes' shard
 * error), blocked writes and failed snapshots.
 *
 * Index State Management policies (rollover, UltraWarm migration, deletion) live in
 * OpenSearch itself, not CloudFormation: create them with the OpenSearch API once
 * the domain exists.
 */
export class SearchDomain extends Construct {
  /** The domain. */
  public readonly domain: opensearch.Domain;
  /** The key that encrypts the domain and its logs. */
  public readonly encryptionKey: kms.IKey;
  /** The fine-grained access control master role. */
  public readonly adminRole: iam.IRole;
  /** The domain's security group(s). */
  public readonly connections: ec2.Connections;
  /** Storage and shard figures, when sized from a workload. */
  public readonly estimate?: SearchEstimate;
  /** gp3 volume size per data node, GiB. */
  public readonly volumeSizeGiB: number;
  /** Log groups by log type. */
  public readonly logGroups: Record<string, logs.LogGroup>;
  /** Alarms. */
  public readonly alarms: cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: SearchDomainProps) {
    super(scope, id);
    const azs = props.availabilityZoneCount ?? 3;
    const dataNodes = props.dataNodes ?? 3;
    const masterNodes = props.masterNodes ?? 3;
    const dataType = props.dataNodeInstanceType ?? 'r7g.large.search';
    const tiers = props.storageTiers ?? {};
    const warmNodes = tiers.warmNodes ?? 0;

    Validate.oneOf(this, 'availabilityZoneCount', ['2', '3'], String(azs));
    Validate.integer(this, 'dataNodes', 1, 1002, dataNodes);
    Validate.that(this, dataNodes % azs === 0, {
      prop: 'dataNodes', value: dataNodes, allowed: `a multiple of availabilityZoneCount (${azs}) so every zone holds the same share`,
    });
    Validate.oneOf(this, 'masterNodes', ['3', '5'], String(masterNodes));
    for (const [prop, value] of [['dataNodeInstanceType', dataType], ['masterNodeInstanceType', props.masterNodeInstanceType]] as const) {
      Validate.pattern(this, prop, '^[a-z0-9]+\\.[a-z0-9]+\\.search$', 'an OpenSearch instance type such as r7g.large.search', value);
    }
    Validate.integer(this, 'storageTiers.warmNodes', 0, 150, warmNodes);
    if (warmNodes > 0) Validate.integer(this, 'storageTiers.warmNodes', 2, 150, warmNodes, undefined, 'UltraWarm needs at least 2 nodes.');
    if (tiers.coldStorage) {
      Validate.that(this, warmNodes > 0, { prop: 'storageTiers.coldStorage', value: true, allowed: 'only with UltraWarm (storageTiers.warmNodes >= 2)' });
      Validate.that(this, !/^t[23]\./.test(dataType), {
        prop: 'dataNodeInstanceType', value: dataType, allowed: 'not a T2/T3 type when cold storage is enabled',
      });
    }
    if (props.domainName !== undefined) {
      Validate.pattern(this, 'domainName', '^[a-z][a-z0-9-]{2,27}$', '3-28 characters: lower-case letters, digits and "-", starting with a letter', props.domainName);
    }

    if (props.workload) {
      this.estimate = SearchCapacity.estimate(props.workload, dataNodes);
      this.volumeSizeGiB = Math.max(10, this.estimate.storagePerNodeGiB);
    } else {
      this.volumeSizeGiB = props.volumeSizeGiB ?? 100;
      Validate.integer(this, 'volumeSizeGiB', 10, 24_576, this.volumeSizeGiB, 'GiB');
    }

    const subnets = props.vpcSubnets ?? PrivateSubnets.of(props.vpc, true);
    const selected = props.vpc.selectSubnets(subnets).subnets;
    Validate.that(this, selected.length >= azs, {
      prop: 'vpcSubnets', value: `${selected.length} subnets`, allowed: `at least availabilityZoneCount (${azs}) subnets in distinct zones`,
    });

    this.encryptionKey = props.encryptionKey ?? new DataKey(this, 'Key', { description: `Data key of ${this.node.path}` }).key;
    DataKey.allowCloudWatchLogs(this.encryptionKey);
    this.adminRole = props.adminRole ?? new iam.Role(this, 'AdminRole', {
      description: `Fine-grained access control master role of ${this.node.path}`,
      assumedBy: new iam.AccountRootPrincipal(),
    });

    this.logGroups = {};
    for (const type of LOG_TYPES) {
      this.logGroups[type] = new logs.LogGroup(this, type, {
        encryptionKey: this.encryptionKey,
        retention: logs.RetentionDays.ONE_YEAR,
        removalPolicy: Sandbox.removalPolicy(this),
      });
    }
    const stack = Stack.of(this);
    const logPolicy = new logs.CfnResourcePolicy(this, 'LogsResourcePolicy', {
      policyName: `${stack.stackName}-${this.node.addr}-opensearch`.slice(0, 255),
      policyDocument: stack.toJsonString({
        Version: '2012-10-17',
        Statement: [{
          Effect: 'Allow',
          Principal: { Service: 'es.amazonaws.com' },
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: LOG_TYPES.map((t) => stack.formatArn({
            service: 'logs', resource: 'log-group', resourceName: `${this.logGroups[t].logGroupName}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          })),
          Condition: { StringEquals: { 'aws:SourceAccount': stack.account } },
        }],
      }),
    });

    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc, description: `OpenSearch domain ${this.node.path}: HTTPS from allowed peers only`, allowAllOutbound: false,
    });
    this.connections = new ec2.Connections({ securityGroups: [securityGroup], defaultPort: ec2.Port.tcp(443) });
    for (const peer of props.allowedPeers ?? []) this.connections.allowDefaultPortFrom(peer, 'HTTPS to OpenSearch');

    // A known name lets the domain policy name this domain's ARN without a circular
    // reference (aws-cdk-lib would otherwise apply the policy through a Lambda-backed custom resource).
    const domainName = props.domainName ?? Names.uniqueResourceName(this, { maxLength: 28, separator: '-' }).toLowerCase().replace(/^[^a-z]+/, 'd');
    this.domain = new opensearch.Domain(this, 'Domain', {
      domainName,
      version: props.version ?? opensearch.EngineVersion.OPENSEARCH_2_19,
      vpc: props.vpc,
      vpcSubnets: [subnets],
      securityGroups: [securityGroup],
      zoneAwareness: { enabled: true, availabilityZoneCount: azs },
      capacity: {
        dataNodes,
        dataNodeInstanceType: dataType,
        masterNodes,
        masterNodeInstanceType: props.masterNodeInstanceType ?? 'm7g.large.search',
        warmNodes: warmNodes > 0 ? warmNodes : undefined,
        warmInstanceType: warmNodes > 0 ? (tiers.warmInstanceType ?? 'ultrawarm1.medium.search') : undefined,
      },
      coldStorageEnabled: tiers.coldStorage ? true : undefined,
      ebs: { volumeSize: this.volumeSizeGiB, volumeType: ec2.EbsDeviceVolumeType.GP3 },
      encryptionAtRest: { enabled: true, kmsKey: this.encryptionKey },
      nodeToNodeEncryption: true,
      enforceHttps: true,
      tlsSecurityPolicy: opensearch.TLSSecurityPolicy.TLS_1_2_PFS,
      fineGrainedAccessControl: { masterUserArn: this.adminRole.roleArn },
      logging: {
        slowSearchLogEnabled: true,
        slowSearchLogGroup: this.logGroups.SearchSlowLogs,
        slowIndexLogEnabled: true,
        slowIndexLogGroup: this.logGroups.IndexSlowLogs,
        appLogEnabled: true,
        appLogGroup: this.logGroups.ApplicationLogs,
        auditLogEnabled: true,
        auditLogGroup: this.logGroups.AuditLogs,
      },
      suppressLogsResourcePolicy: true,
      offPeakWindowEnabled: true,
      enableAutoSoftwareUpdate: true,
      removalPolicy: Sandbox.removalPolicy(this),
    });
    this.domain.node.addDependency(logPolicy);
    (this.domain.node.defaultChild as opensearch.CfnDomain).accessPolicies = new iam.PolicyDocument({
      statements: [new iam.PolicyStatement({
        sid: 'FineGrainedAccessControlMaster',
        principals: [this.adminRole],
        actions: ['es:ESHttpGet', 'es:ESHttpHead', 'es:ESHttpPost', 'es:ESHttpPut', 'es:ESHttpDelete', 'es:ESHttpPatch'],
        resources: [stack.formatArn({ service: 'es', resource: 'domain', resourceName: `${domainName}/*` })],
      })],
    }).toJSON();
    NagAcknowledgements.acknowledge(this.domain, 'AwsSolutions-OS3',
      'The domain has only a VPC endpoint: network access is limited by its security group (HTTPS from allowed peers), IP conditions do not apply to VPC domains, and principals are limited by the domain policy and fine-grained access control.');

    const fiveMinutes = Duration.minutes(5);
    const alarm = (name: string, metric: cloudwatch.Metric, threshold: number, op: cloudwatch.ComparisonOperator, description: string) =>
      metric.createAlarm(this, name, {
        threshold,
        comparisonOperator: op,
        evaluationPeriods: 1,
        alarmDescription: description,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    const gt = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD;
    this.alarms = [
      alarm('ClusterRedAlarm', this.domain.metricClusterStatusRed({ statistic: 'Maximum', period: Duration.minutes(1) }), 1, gt,
        'At least one primary shard is unassigned: some data cannot be searched or written.'),
      alarm('FreeStorageAlarm', this.domain.metricFreeStorageSpace({ statistic: 'Minimum', period: fiveMinutes }), Math.floor(this.volumeSizeGiB * 1024 * 0.25),
        cloudwatch.ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD, 'A data node has 25 % or less free storage (MiB); writes are blocked at 20 GiB or 5 %.'),
      alarm('JvmMemoryPressureAlarm', this.domain.metricJVMMemoryPressure({ statistic: 'Maximum', period: fiveMinutes }), 80, gt,
        'JVM memory pressure is 80 % or more: too many or unbalanced shards (delete old indices, use fewer, larger shards).'),
      alarm('WritesBlockedAlarm', this.domain.metricClusterIndexWritesBlocked({ statistic: 'Maximum', period: fiveMinutes }), 1, gt,
        'The cluster blocks index writes (storage or memory pressure).'),
      alarm('SnapshotFailureAlarm', this.domain.metricAutomatedSnapshotFailure({ statistic: 'Maximum', period: Duration.minutes(1) }), 1, gt,
        'An automated snapshot failed.'),
    ];
    AlarmNotifications.notify(this.alarms, props.alarmTopic);
  }

  /** Lets `grantee` read and write documents over HTTPS (IAM side; map it to an OpenSearch role in fine-grained access control). */
  public grantReadWrite(grantee: iam.IGrantable): iam.Grant {
    return this.domain.grantReadWrite(grantee);
  }
}
