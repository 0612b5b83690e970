/*
 * Internal: the resources of a provisioned cluster, of a Serverless namespace and workgroup,
 * and of the VPC a warehouse creates for itself, each built in the warehouse's scope with the
 * construct ids it has always used (logical ids of clusters and namespaces must not change).
 */
import { NagAcknowledgements, RedshiftNodeType, Sandbox } from '@analytics-patterns/core';
import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as redshift from 'aws-cdk-lib/aws-redshift';
import * as rss from 'aws-cdk-lib/aws-redshiftserverless';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

/** Audit log types Redshift exports. */
export const LOG_TYPES = ['connectionlog', 'userlog', 'useractivitylog'];

/** What both kinds of warehouse are built from. */
export interface WarehouseSettings {
  readonly warehouseName: string;
  readonly databaseName: string;
  readonly adminUsername: string;
  readonly port: number;
  readonly encryptionKey: kms.IKey;
  readonly role: iam.IRole;
  readonly securityGroup: ec2.ISecurityGroup;
  readonly subnetIds: string[];
  readonly logRetention: logs.RetentionDays;
}

/** A provisioned cluster's settings. */
export interface ClusterSettings extends WarehouseSettings {
  readonly nodeType: RedshiftNodeType;
  readonly numberOfNodes: number;
  readonly snapshotRetentionDays: number;
  readonly preferredMaintenanceWindow: string;
}

/** The resources of a provisioned cluster. */
export interface ClusterResources {
  readonly cluster: redshift.CfnCluster;
  readonly parameterGroup: redshift.CfnClusterParameterGroup;
  readonly subnetGroup: redshift.CfnClusterSubnetGroup;
  readonly auditLogGroups: logs.LogGroup[];
}

/** The resources of a Serverless warehouse. */
export interface ServerlessResources {
  readonly namespace: rss.CfnNamespace;
  readonly workgroup: rss.CfnWorkgroup;
  readonly adminSecret: secretsmanager.Secret;
}

/**
 * A provisioned cluster: multi-node (single node only when sandbox mode allowed it), private,
 * encrypted, TLS required, user activity logged, audit logs to log groups created ahead (so
 * they are encrypted and retained), admin password managed by Redshift in a CMK-encrypted secret.
 */
export function createCluster(scope: Construct, s: ClusterSettings): ClusterResources {
  const parameterGroup = new redshift.CfnClusterParameterGroup(scope, 'Parameters', {
    description: `Parameters of ${scope.node.path}: TLS required, user activity logged`,
    parameterGroupFamily: 'redshift-1.0',
    parameters: [
      { parameterName: 'require_ssl', parameterValue: 'true' },
      { parameterName: 'enable_user_activity_logging', parameterValue: 'true' },
    ],
  });
  const subnetGroup = new redshift.CfnClusterSubnetGroup(scope, 'Subnets', { description: `Private subnets of ${scope.node.path}`, subnetIds: s.subnetIds });
  const auditLogGroups = LOG_TYPES.map((type) => new logs.LogGroup(scope, `AuditLog-${type}`, {
    logGroupName: `/aws/redshift/cluster/${s.warehouseName}/${type}`,
    encryptionKey: s.encryptionKey,
    retention: s.logRetention,
    removalPolicy: Sandbox.removalPolicy(scope),
  }));
  // a token node count is rendered multi-node: a single node is a sandbox-only choice made with a number
  const multiNode = Token.isUnresolved(s.numberOfNodes) || s.numberOfNodes > 1;
  const cluster = new redshift.CfnCluster(scope, 'Cluster', {
    clusterIdentifier: s.warehouseName,
    clusterType: multiNode ? 'multi-node' : 'single-node',
    nodeType: s.nodeType,
    numberOfNodes: multiNode ? s.numberOfNodes : undefined,
    dbName: s.databaseName,
    masterUsername: s.adminUsername,
    manageMasterPassword: true,
    masterPasswordSecretKmsKeyId: s.encryptionKey.keyArn,
    encrypted: true,
    kmsKeyId: s.encryptionKey.keyArn,
    publiclyAccessible: false,
    enhancedVpcRouting: true,
    port: s.port,
    clusterSubnetGroupName: subnetGroup.ref,
    vpcSecurityGroupIds: [s.securityGroup.securityGroupId],
    clusterParameterGroupName: parameterGroup.ref,
    automatedSnapshotRetentionPeriod: s.snapshotRetentionDays,
    preferredMaintenanceWindow: s.preferredMaintenanceWindow,
    allowVersionUpgrade: true,
    iamRoles: [s.role.roleArn],
    loggingProperties: { logDestinationType: 'cloudwatch', logExports: LOG_TYPES },
  });
  auditLogGroups.forEach((g) => cluster.node.addDependency(g));
  cluster.applyRemovalPolicy(Sandbox.removalPolicy(scope));
  return { cluster, parameterGroup, subnetGroup, auditLogGroups };
}

/**
 * A Serverless namespace and workgroup with the same protections. CloudFormation does not
 * return the ARN of a Redshift-managed admin secret for a Serverless namespace (no
 * `AdminPasswordSecretArn` attribute), and the Data API needs that ARN: the admin password
 * lives in a secret of our own instead.
 */
export function createServerless(scope: Construct, s: WarehouseSettings, baseCapacity: number): ServerlessResources {
  const adminSecret = new secretsmanager.Secret(scope, 'AdminSecret', {
    description: `Admin credentials of ${scope.node.path} (Redshift Serverless)`,
    encryptionKey: s.encryptionKey,
    generateSecretString: {
      secretStringTemplate: Stack.of(scope).toJsonString({ username: s.adminUsername }),
      generateStringKey: 'password',
      passwordLength: 32,
      excludePunctuation: true,
      requireEachIncludedType: true,
    },
    removalPolicy: Sandbox.removalPolicy(scope),
  });
  const rotation = 'Secrets Manager has no hosted rotation template for Redshift Serverless admin users and the Redshift-managed alternative (ManageAdminPassword) does not expose its secret ARN to CloudFormation; rotate with UpdateNamespace --manage-admin-password or a custom rotation function.';
  NagAcknowledgements.acknowledge(adminSecret, 'AwsSolutions-SMG4', rotation);
  NagAcknowledgements.acknowledgeCompliance(adminSecret, 'SecretsManagerRotationEnabled', rotation);
  const namespace = new rss.CfnNamespace(scope, 'Namespace', {
    namespaceName: s.warehouseName,
    dbName: s.databaseName,
    adminUsername: s.adminUsername,
    adminUserPassword: adminSecret.secretValueFromJson('password').unsafeUnwrap(),
    kmsKeyId: s.encryptionKey.keyArn,
    iamRoles: [s.role.roleArn],
    defaultIamRoleArn: s.role.roleArn,
    logExports: LOG_TYPES,
  });
  namespace.applyRemovalPolicy(Sandbox.removalPolicy(scope));
  const workgroup = new rss.CfnWorkgroup(scope, 'Workgroup', {
    workgroupName: s.warehouseName,
    namespaceName: s.warehouseName,
    baseCapacity,
    enhancedVpcRouting: true,
    publiclyAccessible: false,
    port: s.port,
    subnetIds: s.subnetIds,
    securityGroupIds: [s.securityGroup.securityGroupId],
    configParameters: [
      { parameterKey: 'require_ssl', parameterValue: 'true' },
      { parameterKey: 'enable_user_activity_logging', parameterValue: 'true' },
    ],
  });
  workgroup.addResourceDependency(namespace);
  workgroup.applyRemovalPolicy(Sandbox.removalPolicy(scope));
  return { namespace, workgroup, adminSecret };
}

/** Retention of automated snapshots when none is given. */
export const DEFAULT_SNAPSHOT_RETENTION = Duration.days(7);
