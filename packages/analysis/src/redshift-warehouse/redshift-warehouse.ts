import {
  CopyFilePlan, CustomerManagedPolicies, GlueLimits, NagAcknowledgements, PrivateSubnets, RedshiftCapacity, RedshiftLimits,
  RedshiftNodeType, Sandbox, TimeUnit, Validate,
} from '@analytics-patterns/core';
import { DataKey } from '@analytics-patterns/security';
import { ArnFormat, Duration, Names, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as redshift from 'aws-cdk-lib/aws-redshift';
import * as rss from 'aws-cdk-lib/aws-redshiftserverless';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { IRedshiftWarehouse } from './i-redshift-warehouse';
import { RedshiftWarehouseProps, WarehouseType } from './redshift-warehouse-props';
import { createWarehouseVpc } from './warehouse-network';
import { ClusterResources, createCluster, createServerless, DEFAULT_SNAPSHOT_RETENTION, ServerlessResources, WarehouseSettings } from './warehouse-resources';
import { DataApiStatement } from '../redshift-data/data-api-states';
import { IDENTIFIER, IDENTIFIER_RULE, quoteIdent } from '../redshift-table/table-sql';

/** Subnets (and zones) a Serverless workgroup needs. */
const SERVERLESS_ZONES = 3;
/** Zones of the VPC a provisioned warehouse creates for itself. */
const PROVISIONED_ZONES = 2;

/**
 * A Redshift data warehouse (notes 4.4) with the security practices of notes 6.x as defaults:
 *
 * - provisioned cluster (multi-node; node type and count validated) or Serverless;
 * - in private subnets of a given or new VPC (built without an Availability Zone lookup, its
 *   default security group closed), never publicly accessible, enhanced VPC routing
 *   (COPY/UNLOAD traffic goes through the VPC and its S3 gateway endpoint), non-default port;
 * - encrypted at rest with a customer-managed key; `require_ssl` on (encryption in flight);
 * - audit logging (connection, user, user activity) to CloudWatch log groups encrypted with the key,
 *   `enable_user_activity_logging` on; automated snapshots retained 7 days;
 * - admin password generated and stored in Secrets Manager, encrypted with the key: by Redshift
 *   itself for a cluster (`ManageMasterPassword`, managed rotation); in a generated secret for
 *   Serverless (CloudFormation does not expose the managed secret's ARN there); non-default admin name;
 * - one IAM role for COPY/UNLOAD/Spectrum, scoped to the given buckets (and prefixes), their keys
 *   through S3 and the Glue database; a cluster's role is usable by this cluster's database users only;
 * - optional Spectrum external schema over a Glue database, created by a small state machine
 *   (Data API ExecuteStatement; CREATE EXTERNAL SCHEMA cannot run inside a transaction block).
 *
 * cdk-nag RS1-RS11 pass without acknowledgements.
 */
export class RedshiftWarehouse extends Construct implements IRedshiftWarehouse {
  /** Provisioned or Serverless. */
  public readonly type: WarehouseType;
  /** The VPC (given or created). */
  public readonly vpc: ec2.IVpc;
  /** The warehouse's security group (no inbound rules: add your clients with `connections`). */
  public readonly securityGroup: ec2.SecurityGroup;
  /** Connections of the warehouse (its security group and port). */
  public readonly connections: ec2.Connections;
  /** The key that encrypts data, admin secret and logs. */
  public readonly encryptionKey: kms.IKey;
  /** The role Redshift assumes for COPY, UNLOAD and Spectrum (an iam.Role). */
  public readonly role: iam.IRole;
  /** Name of the database. */
  public readonly databaseName: string;
  /** Admin user name. */
  public readonly adminUsername: string;
  /** ARN of the Secrets Manager secret with the admin credentials (Redshift-managed for a cluster). */
  public readonly adminSecretArn: string;
  /** Port. */
  public readonly port: number;
  /** ARN to scope Data API permissions to (cluster or workgroup ARN). */
  public readonly dataApiResourceArn: string;
  /** Cluster identifier (provisioned) or workgroup name (Serverless). */
  public readonly warehouseName: string;
  /** The cluster (provisioned). */
  public readonly cluster?: redshift.CfnCluster;
  /** The parameter group with require_ssl and enable_user_activity_logging (provisioned). */
  public readonly parameterGroup?: redshift.CfnClusterParameterGroup;
  /** The subnet group (provisioned). */
  public readonly subnetGroup?: redshift.CfnClusterSubnetGroup;
  /** The admin secret (Serverless; provisioned clusters use a Redshift-managed secret, see adminSecretArn). */
  public readonly adminSecret?: secretsmanager.Secret;
  /** The namespace (Serverless). */
  public readonly namespace?: rss.CfnNamespace;
  /** The workgroup (Serverless). */
  public readonly workgroup?: rss.CfnWorkgroup;
  /** Audit log groups, created ahead of Redshift so they are encrypted and retained (provisioned). */
  public readonly auditLogGroups: logs.LogGroup[] = [];
  /** Slices of the provisioned cluster (COPY loads one file per slice at a time); 0 for Serverless or a token node count. */
  public readonly slices: number;
  /** Node type of the provisioned cluster (undefined for Serverless). */
  public readonly nodeType?: RedshiftNodeType;
  /** Compute nodes of the provisioned cluster (0 for Serverless). */
  public readonly numberOfNodes: number;
  /** The SQL that creates the Spectrum external schema, when `spectrum` is set. */
  public readonly spectrumSchemaSql?: string;
  /** State machine that runs `spectrumSchemaSql` (start it once after deploy), when `spectrum` is set. */
  public readonly setupStateMachine?: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: RedshiftWarehouseProps = {}) {
    super(scope, id);
    this.type = props.type ?? WarehouseType.PROVISIONED;
    const serverless = this.type === WarehouseType.SERVERLESS;
    this.databaseName = props.databaseName ?? 'analytics';
    this.adminUsername = props.adminUsername ?? 'warehouse_admin';
    this.port = props.port ?? 5440;
    this.warehouseName = props.warehouseName ?? this.generatedName();
    const nodeType = props.nodeType ?? RedshiftNodeType.RA3_XLPLUS;
    const nodes = props.numberOfNodes ?? 2;
    this.validate(props, nodeType, nodes);
    this.nodeType = serverless ? undefined : nodeType;
    this.numberOfNodes = serverless ? 0 : nodes;
    this.slices = serverless || Token.isUnresolved(nodes) ? 0 : RedshiftCapacity.slices(nodeType, nodes);

    this.encryptionKey = props.encryptionKey ?? new DataKey(this, 'Key', { description: `Data key of ${this.node.path}` }).key;
    DataKey.allowCloudWatchLogs(this.encryptionKey);
    const network = props.vpc ? undefined : createWarehouseVpc(this, this.encryptionKey, serverless ? SERVERLESS_ZONES : PROVISIONED_ZONES);
    this.vpc = props.vpc ?? network!.vpc;
    const subnetIds = this.selectSubnets(props, serverless);
    this.securityGroup = this.createSecurityGroup();
    this.connections = new ec2.Connections({ securityGroups: [this.securityGroup], defaultPort: ec2.Port.tcp(this.port) });
    if (props.spectrum && network) this.addGlueEndpoint(network.vpcScope, props);
    this.role = this.createRole(serverless);
    for (const bucket of props.loadBuckets ?? []) this.grantLoadFrom(bucket);

    const settings = this.settings(props, subnetIds);
    const created = serverless ? this.createServerless(settings, props) : this.createCluster(settings, props, nodeType, nodes);
    this.cluster = created.cluster;
    this.parameterGroup = created.parameterGroup;
    this.subnetGroup = created.subnetGroup;
    this.auditLogGroups.push(...(created.auditLogGroups ?? []));
    this.namespace = created.namespace;
    this.workgroup = created.workgroup;
    this.adminSecret = created.adminSecret;
    this.adminSecretArn = created.adminSecretArn;
    this.dataApiResourceArn = created.dataApiResourceArn;

    if (props.spectrum) {
      const s = props.spectrum;
      this.spectrumSchemaSql = `CREATE EXTERNAL SCHEMA IF NOT EXISTS ${quoteIdent(s.schemaName)} FROM DATA CATALOG `
        + `DATABASE '${s.glueDatabaseName}' IAM_ROLE '${this.role.roleArn}'`;
      this.grantSpectrum(s.glueDatabaseName);
      for (const bucket of s.dataBuckets ?? []) this.grantLoadFrom(bucket);
      this.setupStateMachine = this.createSetupStateMachine(props);
    }
    CustomerManagedPolicies.apply(this);
  }

  /**
   * How to split a COPY of `totalCompressedMb` into files for this cluster: a multiple of its
   * slice count, each file at most 125 MB after compression (notes 4.4). Provisioned clusters only.
   */
  public planCopyFiles(totalCompressedMb: number): CopyFilePlan {
    if (this.nodeType === undefined) {
      throw new Error(`[${this.node.path}] planCopyFiles needs a provisioned cluster: Redshift Serverless has no fixed slice count`);
    }
    if (Token.isUnresolved(this.numberOfNodes)) {
      throw new Error(`[${this.node.path}] planCopyFiles needs a known node count: numberOfNodes is a token`);
    }
    return RedshiftCapacity.copyFilesFor({ nodeType: this.nodeType, numberOfNodes: this.numberOfNodes, totalCompressedMb });
  }

  /**
   * Lets COPY (and Spectrum) read objects of `bucket` under `prefix`, and decrypt them through
   * S3. The wildcard under the bucket or prefix is acknowledged, for imported buckets too.
   * The grantee is the warehouse's own role (the one COPY and Spectrum assume).
   * @returns the grant to the warehouse role (S3 read, and the bucket key through S3 when it has one)
   */
  public grantLoadFrom(bucket: s3.IBucket, prefix?: string): iam.Grant {
    let grant = iam.Grant.addToPrincipal({
      grantee: this.role,
      actions: ['s3:GetObject', 's3:GetBucketLocation', 's3:ListBucket'],
      resourceArns: [bucket.bucketArn, bucket.arnForObjects(`${prefix ?? ''}*`)],
    });
    if (bucket.encryptionKey) {
      grant = grant.combine(iam.Grant.addToPrincipal({
        grantee: this.role,
        actions: ['kms:Decrypt'],
        resourceArns: [bucket.encryptionKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `s3.${Stack.of(this).region}.amazonaws.com` } },
      }));
    }
    NagAcknowledgements.objectsUnder(this.role, bucket, prefix ?? '',
      'COPY reads every file a manifest lists and Spectrum every object of a table location: object keys are only known at run time, so object ARNs end with a wildcard under the bucket (or the prefix given to grantLoadFrom).');
    return grant;
  }

  /**
   * Lets `grantee` run SQL through the Redshift Data API as the admin user: Execute/BatchExecute
   * on this warehouse only, Describe/CancelStatement on its own statements, read of the admin
   * secret through Secrets Manager.
   */
  public grantDataApi(grantee: iam.IGrantable): iam.Grant {
    const grant = iam.Grant.addToPrincipal({
      grantee,
      actions: ['redshift-data:ExecuteStatement', 'redshift-data:BatchExecuteStatement'],
      resourceArns: [this.dataApiResourceArn],
    });
    // DescribeStatement/GetStatementResult/CancelStatement have no resource type: "*" limited to the caller's own statements
    const ownStatements = { StringEquals: { 'redshift-data:statement-owner-iam-userid': '${aws:userid}' } };
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['redshift-data:DescribeStatement'], resources: ['*'], conditions: ownStatements }));
    // a statement still running at its deadline is cancelled (the set-up state machine and StagingUpsert do)
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['redshift-data:CancelStatement'], resources: ['*'], conditions: ownStatements }));
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['secretsmanager:GetSecretValue'],
      resources: [this.adminSecretArn],
    }));
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['kms:Decrypt'],
      resources: [this.encryptionKey.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(this).region}.amazonaws.com` } },
    }));
    return grant;
  }

  /** Data API arguments that select this warehouse, database and credentials. */
  public dataApiTarget(database?: string): Record<string, string> {
    return {
      ...(this.type === WarehouseType.SERVERLESS ? { WorkgroupName: this.warehouseName } : { ClusterIdentifier: this.warehouseName }),
      Database: database ?? this.databaseName,
      SecretArn: this.adminSecretArn,
    };
  }

  private validate(props: RedshiftWarehouseProps, nodeType: RedshiftNodeType, nodes: number): void {
    if (this.type === WarehouseType.SERVERLESS) this.validateServerless(props);
    else this.validateProvisioned(props, nodeType, nodes);
    const port = this.port;
    const inRange = RedshiftLimits.PORT_RANGES.some((r) => port >= r.min && port <= r.max);
    Validate.that(this, Token.isUnresolved(port) || (port !== RedshiftLimits.DEFAULT_PORT && inRange), {
      prop: 'port', value: port, allowed: `${RedshiftLimits.PORT_RANGES.map((r) => `${r.min}-${r.max}`).join(' or ')}, except the default ${RedshiftLimits.DEFAULT_PORT} (cdk-nag RS4)`,
    });
    Validate.that(this, Token.isUnresolved(port) || Number.isInteger(port), { prop: 'port', value: port, allowed: 'a whole number' });
    Validate.resourceName(this, 'databaseName', this.databaseName, RedshiftLimits.DATABASE_NAME);
    Validate.resourceName(this, 'adminUsername', this.adminUsername, RedshiftLimits.ADMIN_USERNAME);
    Validate.resourceName(this, 'warehouseName', this.warehouseName, RedshiftLimits.WAREHOUSE_NAME);
    if (props.spectrum) this.validateSpectrum(props.spectrum.schemaName, props.spectrum.glueDatabaseName);
  }

  private validateServerless(props: RedshiftWarehouseProps): void {
    for (const p of ['nodeType', 'numberOfNodes', 'snapshotRetention', 'preferredMaintenanceWindow'] as const) {
      Validate.that(this, props[p] === undefined, { prop: p, value: props[p], allowed: 'not set with WarehouseType.SERVERLESS (provisioned clusters only)' });
    }
    const rpu = props.baseCapacity ?? 8;
    Validate.that(this, Token.isUnresolved(rpu) || RedshiftLimits.isValidBaseCapacity(rpu), {
      prop: 'baseCapacity', value: rpu, allowed: '4, 8-512 in steps of 8, or 512-1024 in steps of 32 RPUs',
    });
  }

  private validateProvisioned(props: RedshiftWarehouseProps, nodeType: RedshiftNodeType, nodes: number): void {
    Validate.that(this, props.baseCapacity === undefined, { prop: 'baseCapacity', value: props.baseCapacity, allowed: 'only with WarehouseType.SERVERLESS' });
    const limit = RedshiftLimits.nodes(nodeType);
    Validate.number(this, nodes, { prop: 'numberOfNodes', ...limit });
    Validate.that(this, Token.isUnresolved(nodes) || nodes > 1 || Sandbox.isEnabled(this), {
      prop: 'numberOfNodes',
      value: nodes,
      allowed: `2-${limit.max} nodes (a single-node cluster has no replication across nodes and no elastic resize: only in sandbox mode)`,
    });
    Validate.duration(this, props.snapshotRetention, { prop: 'snapshotRetention', in: TimeUnit.DAYS, ...RedshiftLimits.SNAPSHOT_RETENTION_DAYS });
    Validate.resourceName(this, 'preferredMaintenanceWindow', props.preferredMaintenanceWindow, RedshiftLimits.MAINTENANCE_WINDOW);
  }

  /** The names are written into SQL: they must be known and valid at synth time. */
  private validateSpectrum(schemaName: string, glueDatabaseName: string): void {
    for (const [prop, value] of [['spectrum.schemaName', schemaName], ['spectrum.glueDatabaseName', glueDatabaseName]]) {
      Validate.that(this, !Token.isUnresolved(value), { prop, value: 'a token', allowed: 'a name known at synth time (it is written into the CREATE EXTERNAL SCHEMA statement)' });
    }
    Validate.that(this, IDENTIFIER.test(schemaName), { prop: 'spectrum.schemaName', value: schemaName, allowed: IDENTIFIER_RULE });
    Validate.resourceName(this, 'spectrum.glueDatabaseName', glueDatabaseName, GlueLimits.DATABASE_NAME);
  }

  /** Private subnets of the VPC (never public ones); Serverless needs them in at least 3 zones. */
  private selectSubnets(props: RedshiftWarehouseProps, serverless: boolean): string[] {
    const subnets = this.vpc.selectSubnets(props.vpcSubnets ?? PrivateSubnets.of(this.vpc));
    Validate.that(this, subnets.subnets.every((s) => !this.vpc.publicSubnets.includes(s)), {
      prop: 'vpcSubnets', value: 'public subnets', allowed: 'private or isolated subnets (the warehouse is never reachable from the internet)',
    });
    if (serverless) {
      const azs = new Set(subnets.availabilityZones);
      Validate.that(this, subnets.subnetIds.length >= SERVERLESS_ZONES && azs.size >= SERVERLESS_ZONES, {
        prop: 'vpcSubnets',
        value: `${subnets.subnetIds.length} subnets`,
        allowed: `at least ${SERVERLESS_ZONES} subnets in ${SERVERLESS_ZONES} Availability Zones (Redshift Serverless workgroups need them)`,
        hint: `Give a VPC with private subnets in ${SERVERLESS_ZONES} zones (or none: the warehouse then creates one).`,
      });
    }
    return subnets.subnetIds;
  }

  private createSecurityGroup(): ec2.SecurityGroup {
    const sg = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: this.vpc,
      description: `Redshift ${this.node.path}: no inbound rule by default (the Data API needs none)`,
      allowAllOutbound: false,
    });
    // COPY/UNLOAD/Spectrum reach S3 (and Glue) over HTTPS; with enhanced VPC routing this goes through the VPC
    sg.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to S3 (gateway endpoint) and Glue for COPY/UNLOAD/Spectrum');
    return sg;
  }

  /** With enhanced VPC routing in subnets without internet access, Spectrum reaches the Glue Data Catalog through an endpoint. */
  private addGlueEndpoint(vpcScope: Construct, props: RedshiftWarehouseProps): void {
    const glueEndpoint = new ec2.InterfaceVpcEndpoint(vpcScope, 'GlueEndpoint', {
      vpc: this.vpc, service: ec2.InterfaceVpcEndpointAwsService.GLUE, privateDnsEnabled: true, open: false, subnets: props.vpcSubnets,
    });
    glueEndpoint.connections.allowFrom(this.securityGroup, ec2.Port.tcp(443), 'Spectrum to the Glue Data Catalog');
  }

  /**
   * The COPY/UNLOAD/Spectrum role. Redshift passes the database user's ARN as `sts:ExternalId`
   * when it assumes a role, so a cluster's role is limited to this cluster's users. Serverless
   * keeps a principal-only trust: AWS documents two forms of its database user ARN.
   * @see https://docs.aws.amazon.com/redshift/latest/mgmt/authorizing-redshift-service-database-users.html
   */
  private createRole(serverless: boolean): iam.Role {
    const dbUsers = Stack.of(this).formatArn({
      service: 'redshift', resource: 'dbuser', resourceName: `${this.warehouseName}/*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    return new iam.Role(this, 'Role', {
      description: `COPY/UNLOAD/Spectrum role of ${this.node.path}`,
      assumedBy: serverless
        ? new iam.CompositePrincipal(new iam.ServicePrincipal('redshift.amazonaws.com'), new iam.ServicePrincipal('redshift-serverless.amazonaws.com'))
        : new iam.ServicePrincipal('redshift.amazonaws.com', { conditions: { StringLike: { 'sts:ExternalId': dbUsers } } }),
    });
  }

  private settings(props: RedshiftWarehouseProps, subnetIds: string[]): WarehouseSettings {
    return {
      warehouseName: this.warehouseName,
      databaseName: this.databaseName,
      adminUsername: this.adminUsername,
      port: this.port,
      encryptionKey: this.encryptionKey,
      role: this.role,
      securityGroup: this.securityGroup,
      subnetIds,
      logRetention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
    };
  }

  private createCluster(s: WarehouseSettings, props: RedshiftWarehouseProps, nodeType: RedshiftNodeType, nodes: number): Created {
    const resources: ClusterResources = createCluster(this, {
      ...s,
      nodeType,
      numberOfNodes: nodes,
      snapshotRetentionDays: Validate.duration(this, props.snapshotRetention ?? DEFAULT_SNAPSHOT_RETENTION,
        { prop: 'snapshotRetention', in: TimeUnit.DAYS, ...RedshiftLimits.SNAPSHOT_RETENTION_DAYS })!,
      preferredMaintenanceWindow: props.preferredMaintenanceWindow ?? 'sun:03:00-sun:03:30',
    });
    return {
      ...resources,
      adminSecretArn: resources.cluster.attrMasterPasswordSecretArn,
      dataApiResourceArn: Stack.of(this).formatArn({
        service: 'redshift', resource: 'cluster', resourceName: this.warehouseName, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
    };
  }

  private createServerless(s: WarehouseSettings, props: RedshiftWarehouseProps): Created {
    const resources: ServerlessResources = createServerless(this, s, props.baseCapacity ?? 8);
    return { ...resources, adminSecretArn: resources.adminSecret.secretArn, dataApiResourceArn: resources.workgroup.attrWorkgroupWorkgroupArn };
  }

  private grantSpectrum(glueDatabase: string): void {
    const stack = Stack.of(this);
    const arn = (resource: string, name?: string) => stack.formatArn({ service: 'glue', resource, resourceName: name });
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetTables', 'glue:GetPartition', 'glue:GetPartitions', 'glue:BatchGetPartition'],
      resources: [arn('catalog'), arn('database', glueDatabase), arn('table', `${glueDatabase}/*`)],
    }));
    NagAcknowledgements.acknowledge(this.role, `AwsSolutions-IAM5[${NagAcknowledgements.resourceFinding(this, arn('table', `${glueDatabase}/*`))}]`,
      'Spectrum reads whichever tables the external schema\'s Glue database holds; the wildcard is limited to that one database.');
  }

  private createSetupStateMachine(props: RedshiftWarehouseProps): sfn.StateMachine {
    const statement = new DataApiStatement(this, 'SetupStatement', {
      prefix: 'Spectrum',
      target: this.dataApiTarget(),
      sql: this.spectrumSchemaSql,
      statementName: `${this.warehouseName}-spectrum-schema`,
      pollInterval: Duration.seconds(5),
      maxAttempts: 3,
      next: new sfn.Succeed(this, 'Done'),
    });
    const logGroup = new logs.LogGroup(this, 'SetupLogs', {
      encryptionKey: this.encryptionKey,
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: Sandbox.removalPolicy(this),
    });
    const sm = new sfn.StateMachine(this, 'Setup', {
      definitionBody: sfn.DefinitionBody.fromChainable(statement.startState),
      queryLanguage: sfn.QueryLanguage.JSONATA,
      timeout: Duration.minutes(30),
      comment: `Creates the Spectrum external schema of ${this.node.path} (idempotent: IF NOT EXISTS)`,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
    });
    this.grantDataApi(sm);
    NagAcknowledgements.acknowledge(sm, 'AwsSolutions-IAM5[Resource::*]',
      'Only for actions without resource-level permissions: redshift-data:DescribeStatement (limited to the role\'s own statements by a condition), X-Ray trace segments and CloudWatch Logs delivery management.');
    return sm;
  }

  private generatedName(): string {
    const raw = Names.uniqueResourceName(this, { maxLength: 60, separator: '-' }).toLowerCase();
    const clean = raw.replace(/[^a-z0-9-]/g, '').replace(/-+/g, '-').replace(/^-|-$/g, '');
    return /^[a-z]/.test(clean) ? clean : `rs-${clean}`.slice(0, 60);
  }
}

/** What the cluster or Serverless builders return (the fields of the other kind stay undefined). */
type Created = Partial<ClusterResources> & Partial<ServerlessResources> & { readonly adminSecretArn: string; readonly dataApiResourceArn: string };
