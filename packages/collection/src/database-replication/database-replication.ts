import { CustomerManagedPolicies, DmsLimits, NagAcknowledgements, PrivateSubnets, Validate } from '@analytics-patterns/core';
import { DataKey } from '@analytics-patterns/security';
import { Names, Stack, Token } from 'aws-cdk-lib';
import * as dms from 'aws-cdk-lib/aws-dms';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { DatabaseReplicationProps, ReplicationType, SourceEngine } from './database-replication-props';

/** A schema or table name, or a `%` pattern, in a DMS selection rule. */
const OBJECT_NAME = '^[A-Za-z0-9_$%]{1,128}$';
const DATABASE_NAME = '^[A-Za-z0-9_$-]{1,128}$';
/** An S3 key prefix without Firehose-style expressions or a leading slash. */
const PREFIX = '^[A-Za-z0-9!_.*\'()-][A-Za-z0-9!_.*\'()/-]{0,199}$';
/** Library cap on selection rules of one replication (one rule per table selection). */
const MAX_TABLE_SELECTIONS = 1_000;
const DEFAULT_MAX_DCU = 16;
const DEFAULT_MIN_DCU = 2;

/** Values the construct renders, after validation (numbers may be tokens). */
interface ReplicationSettings {
  readonly prefix: string;
  readonly port: number;
  readonly maxCapacityUnits: number;
  readonly minCapacityUnits?: number;
  readonly subnets: ec2.SelectedSubnets;
}

function isMySqlCompatible(engine: SourceEngine): boolean {
  return DmsLimits.MYSQL_COMPATIBLE_ENGINES.includes(engine);
}

/** DMS identifiers: letters, digits and single hyphens, no trailing hyphen. */
function replicationIdentifier(scope: Construct): string {
  return Names.uniqueResourceName(scope, { maxLength: 255, separator: '-' }).toLowerCase().replace(/-+/g, '-').replace(/-$/, '');
}

/**
 * Replicates an on-premises or EC2-hosted database into the data lake with AWS
 * DMS Serverless (notes 1.5): a full load and then change data capture into
 * date-partitioned Parquet files under `s3://<bucket>/<prefix>/<schema>/<table>/`,
 * encrypted with a customer-managed key, from a source reached over TLS with
 * credentials read from Secrets Manager by a role scoped to that secret.
 *
 * Both roles trust DMS (`dms.amazonaws.com` and `dms.<region>.amazonaws.com`) for this
 * account only (`aws:SourceAccount`). The target role may write only under the prefix, with
 * the object key through S3 only.
 *
 * The schema conversion tool, Storage Gateway, DataSync, Direct Connect and the
 * Snow family from the notes are not CloudFormation-deployed pipelines; this
 * construct covers the DMS path. DMS needs the account-level `dms-vpc-role`
 * (created once per account by the console or CLI).
 */
export class DatabaseReplication extends Construct {
  /** The serverless replication. */
  public readonly replication: dms.CfnReplicationConfig;
  /** Source endpoint. */
  public readonly sourceEndpoint: dms.CfnEndpoint;
  /** Target (S3) endpoint. */
  public readonly targetEndpoint: dms.CfnEndpoint;
  /** Security group of the replication. */
  public readonly securityGroup: ec2.SecurityGroup;
  /** Role DMS uses to write to S3. */
  public readonly targetRole: iam.Role;
  /** Role DMS uses to read the source secret. */
  public readonly secretRole: iam.Role;
  /** Key of DMS storage. */
  public readonly encryptionKey: kms.IKey;
  /** Key of the objects DMS writes (the bucket's key, else `encryptionKey`). */
  public readonly objectKey: kms.IKey;
  /** Prefix under which DMS writes. */
  public readonly targetPrefix: string;

  constructor(scope: Construct, id: string, props: DatabaseReplicationProps) {
    super(scope, id);
    const settings = this.validate(props);
    this.targetPrefix = settings.prefix;
    this.encryptionKey = props.encryptionKey ?? props.targetBucket.encryptionKey ?? new DataKey(this, 'Key', { description: `Data key of ${this.node.path}` }).key;
    this.objectKey = props.targetBucket.encryptionKey ?? this.encryptionKey;
    const targetPolicy = this.createTargetRole(props);
    this.targetRole = targetPolicy.role;
    this.secretRole = this.createSecretRole(props);
    this.securityGroup = this.createSecurityGroup(props, settings.port);
    this.sourceEndpoint = this.createSourceEndpoint(props);
    this.targetEndpoint = this.createTargetEndpoint(props);
    this.targetEndpoint.node.addDependency(targetPolicy.policy);
    this.replication = this.createReplication(props, settings);
    CustomerManagedPolicies.apply(this);
  }

  private validate(props: DatabaseReplicationProps): ReplicationSettings {
    Validate.oneOf(this, 'engine', Object.values(SourceEngine), props.engine);
    Validate.pattern(this, 'databaseName', DATABASE_NAME, 'a database name (1-128 letters, digits, "_", "$", "-")', props.databaseName);
    Validate.count(this, 'tables', 1, MAX_TABLE_SELECTIONS, props.tables);
    props.tables.forEach((t, i) => {
      Validate.pattern(this, `tables[${i}].schema`, OBJECT_NAME, 'a schema name or pattern (letters, digits, "_", "$", "%")', t.schema);
      Validate.pattern(this, `tables[${i}].table`, OBJECT_NAME, 'a table name or pattern (letters, digits, "_", "$", "%")', t.table);
    });
    const prefix = props.targetPrefix ?? 'dms';
    Validate.pattern(this, 'targetPrefix', PREFIX, 'an S3 key prefix of 1-200 characters without expressions or a leading "/"', prefix);
    const port = props.sourcePort ?? (isMySqlCompatible(props.engine) ? 3306 : 5432);
    Validate.number(this, port, { prop: 'sourcePort', ...DmsLimits.PORT });
    const subnets = props.vpc.selectSubnets(props.vpcSubnets ?? PrivateSubnets.of(props.vpc));
    const zones = subnets.availabilityZones;
    if (!zones.some((z) => Token.isUnresolved(z))) {
      Validate.that(this, new Set(zones).size >= 2, { prop: 'vpcSubnets', value: `${subnets.subnets.length} subnets`, allowed: 'subnets in at least two Availability Zones' });
    }
    return { prefix, port, subnets, ...this.validateCapacity(props) };
  }

  /** DCU values from the DMS list, min <= max; no arithmetic or comparison on tokens. */
  private validateCapacity(props: DatabaseReplicationProps): Pick<ReplicationSettings, 'maxCapacityUnits' | 'minCapacityUnits'> {
    const max = props.maxCapacityUnits ?? DEFAULT_MAX_DCU;
    const allowed = `one of ${DmsLimits.CAPACITY_UNITS.join(', ')}`;
    for (const [prop, value] of [['maxCapacityUnits', max], ['minCapacityUnits', props.minCapacityUnits]] as const) {
      if (value !== undefined && !Token.isUnresolved(value)) {
        Validate.that(this, DmsLimits.CAPACITY_UNITS.includes(value), { prop, value, allowed });
      }
    }
    if (Token.isUnresolved(max)) return { maxCapacityUnits: max, minCapacityUnits: props.minCapacityUnits };
    const min = props.minCapacityUnits ?? Math.min(DEFAULT_MIN_DCU, max);
    if (!Token.isUnresolved(min)) {
      Validate.that(this, min <= max, { prop: 'minCapacityUnits', value: min, allowed: `at most maxCapacityUnits (${max})` });
    }
    return { maxCapacityUnits: max, minCapacityUnits: min };
  }

  /** DMS of this account, through its global and regional service principals. */
  private dmsPrincipal(): iam.IPrincipal {
    const conditions = { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } };
    return new iam.CompositePrincipal(
      new iam.ServicePrincipal('dms.amazonaws.com', { conditions }),
      new iam.ServicePrincipal(`dms.${Stack.of(this).region}.amazonaws.com`, { conditions }),
    );
  }

  private createTargetRole(props: DatabaseReplicationProps): { role: iam.Role; policy: iam.Policy } {
    const bucket = props.targetBucket;
    const region = Stack.of(this).region;
    const role = new iam.Role(this, 'TargetRole', { description: `DMS writes ${this.node.path}'s Parquet files`, assumedBy: this.dmsPrincipal() });
    const objects = bucket.arnForObjects(`${this.targetPrefix}/*`);
    const policy = new iam.Policy(this, 'TargetPolicy', {
      roles: [role],
      statements: [
        new iam.PolicyStatement({ sid: 'ListTarget', actions: ['s3:ListBucket', 's3:GetBucketLocation'], resources: [bucket.bucketArn] }),
        new iam.PolicyStatement({ sid: 'WriteTarget', actions: ['s3:PutObject', 's3:DeleteObject', 's3:PutObjectTagging'], resources: [objects] }),
        new iam.PolicyStatement({
          sid: 'EncryptTarget',
          actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
          resources: [this.objectKey.keyArn],
          conditions: {
            StringEquals: { 'kms:ViaService': `s3.${region}.amazonaws.com` },
            // with S3 Bucket Keys the context is the bucket ARN, otherwise the object ARN
            StringLike: { 'kms:EncryptionContext:aws:s3:arn': [bucket.bucketArn, objects] },
          },
        }),
      ],
    });
    NagAcknowledgements.objectsUnder(policy, bucket, `${this.targetPrefix}/`,
      `DMS writes one object per table and batch under ${this.node.path}'s prefix (targetPrefix); the object ARN must end with a wildcard, and it is the only one in the policy.`);
    return { role, policy };
  }

  private createSecretRole(props: DatabaseReplicationProps): iam.Role {
    const role = new iam.Role(this, 'SecretRole', { description: `DMS reads ${this.node.path}'s source credentials`, assumedBy: this.dmsPrincipal() });
    // GetSecretValue/DescribeSecret on this secret only
    props.sourceSecret.grantRead(role);
    const key = props.sourceSecret.encryptionKey;
    if (key) {
      // explicit: grantRead adds no identity statement for an imported secret's key
      role.addToPrincipalPolicy(new iam.PolicyStatement({
        sid: 'DecryptSourceSecret',
        actions: ['kms:Decrypt'],
        resources: [key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(this).region}.amazonaws.com` } },
      }));
    }
    return role;
  }

  private createSecurityGroup(props: DatabaseReplicationProps, port: number): ec2.SecurityGroup {
    const group = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      allowAllOutbound: false,
      description: `DMS ${this.node.path}: outbound to the source database port and HTTPS (S3, Secrets Manager) only; no inbound`,
    });
    group.addEgressRule(props.sourcePeer ?? ec2.Peer.anyIpv4(), ec2.Port.tcp(port), 'Source database');
    group.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to S3 and Secrets Manager (endpoints or NAT)');
    return group;
  }

  private createSourceEndpoint(props: DatabaseReplicationProps): dms.CfnEndpoint {
    const secretSettings = { secretsManagerSecretId: props.sourceSecret.secretArn, secretsManagerAccessRoleArn: this.secretRole.roleArn };
    const mySql = isMySqlCompatible(props.engine);
    return new dms.CfnEndpoint(this, 'Source', {
      endpointType: 'source',
      engineName: props.engine,
      databaseName: props.databaseName,
      sslMode: 'require',
      mySqlSettings: mySql ? secretSettings : undefined,
      postgreSqlSettings: mySql ? undefined : secretSettings,
    });
  }

  private createTargetEndpoint(props: DatabaseReplicationProps): dms.CfnEndpoint {
    return new dms.CfnEndpoint(this, 'Target', {
      endpointType: 'target',
      engineName: 's3',
      s3Settings: {
        bucketName: props.targetBucket.bucketName,
        bucketFolder: this.targetPrefix,
        serviceAccessRoleArn: this.targetRole.roleArn,
        dataFormat: 'parquet',
        parquetVersion: 'parquet-2-0',
        encryptionMode: 'SSE_KMS',
        serverSideEncryptionKmsKeyId: this.objectKey.keyArn,
        datePartitionEnabled: true,
        datePartitionSequence: 'YYYYMMDD',
        datePartitionDelimiter: 'SLASH',
        timestampColumnName: 'dms_commit_ts',
        includeOpForFullLoad: true,
      },
    });
  }

  private createReplication(props: DatabaseReplicationProps, settings: ReplicationSettings): dms.CfnReplicationConfig {
    const subnetGroup = new dms.CfnReplicationSubnetGroup(this, 'SubnetGroup', {
      replicationSubnetGroupDescription: `Subnets of ${this.node.path}`,
      subnetIds: settings.subnets.subnetIds,
    });
    const rules = props.tables.map((t, i) => ({
      'rule-type': 'selection',
      'rule-id': String(i + 1),
      'rule-name': `include-${i + 1}`,
      'object-locator': { 'schema-name': t.schema, 'table-name': t.table ?? '%' },
      'rule-action': 'include',
    }));
    return new dms.CfnReplicationConfig(this, 'Replication', {
      replicationConfigIdentifier: replicationIdentifier(this),
      replicationType: props.replicationType ?? ReplicationType.FULL_LOAD_AND_CDC,
      sourceEndpointArn: this.sourceEndpoint.ref,
      targetEndpointArn: this.targetEndpoint.ref,
      tableMappings: { rules },
      computeConfig: {
        maxCapacityUnits: settings.maxCapacityUnits,
        minCapacityUnits: settings.minCapacityUnits,
        multiAz: props.multiAz ?? true,
        kmsKeyId: this.encryptionKey.keyArn,
        replicationSubnetGroupId: subnetGroup.ref,
        vpcSecurityGroupIds: [this.securityGroup.securityGroupId],
      },
    });
  }
}
