/*
 * Internal: the VPC a warehouse creates when it is given none, built without an Availability
 * Zone lookup.
 *
 * aws-cdk-lib's ec2.Vpc reads the stack's Availability Zones, which in a stack with an explicit
 * account and region is a context lookup (credentials at synth time). These L1 resources
 * (deliberately not the L2) take their zones from `Fn::GetAZs` at deploy time in every stack,
 * and carry the construct paths, logical ids and properties ec2.Vpc gave the warehouse's VPC
 * before, so a deployed VPC (and the cluster in it) is not replaced.
 */
import { NagAcknowledgements, Sandbox, VpcFlowLogs } from '@analytics-patterns/core';
import { Fn, Stack, Tags } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';

/** Address range of the VPC and the size of its subnets. */
const VPC_CIDR = '10.0.0.0/16';
const SUBNET_GROUP = 'warehouse';

/** The findings of aws-cdk-lib's AwsCustomResource provider function (one per stack), which the two calls above run on. */
function acknowledgeProvider(scope: Construct): void {
  const provider = Stack.of(scope).node.tryFindChild(`AWS${cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace(/-/g, '')}`);
  if (!provider) return;
  NagAcknowledgements.acknowledge(provider, 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    'aws-cdk-lib\'s AwsCustomResource provider: the AWS managed policy only lets it write its own CloudWatch logs; its EC2 calls are allowed by a policy scoped to the default security group.');
  NagAcknowledgements.acknowledgeCompliance(provider, 'LambdaConcurrency',
    'aws-cdk-lib\'s AwsCustomResource provider runs once per deployment of the resources that use it; reserved concurrency has nothing to protect.');
  NagAcknowledgements.acknowledgeCompliance(provider, 'LambdaDLQ',
    'aws-cdk-lib\'s AwsCustomResource provider is invoked synchronously by CloudFormation, which reports its failures as stack events; a dead-letter queue would receive nothing.');
  NagAcknowledgements.acknowledgeCompliance(provider, 'LambdaInsideVPC',
    'aws-cdk-lib\'s AwsCustomResource provider configures the VPC it would otherwise run in (isolated, without an EC2 endpoint); it only calls the EC2 API.');
}

/** Closes the default security group (it keeps no rule): what ec2.Vpc's restrictDefaultSecurityGroup does, without the L2. */
function closeDefaultSecurityGroup(scope: Construct, vpc: ec2.CfnVPC): void {
  const sg = vpc.attrDefaultSecurityGroup;
  const arn = Stack.of(scope).formatArn({ service: 'ec2', resource: 'security-group', resourceName: sg });
  const revoke = (id: string, action: string, permission: Record<string, unknown>) => new cr.AwsCustomResource(scope, id, {
    resourceType: 'Custom::VpcRestrictDefaultSG',
    onCreate: {
      service: 'EC2',
      action,
      parameters: { GroupId: sg, IpPermissions: [{ IpProtocol: '-1', ...permission }] },
      physicalResourceId: cr.PhysicalResourceId.of(`${id}-default-sg`),
      ignoreErrorCodesMatching: 'InvalidPermission.NotFound',
    },
    policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: [arn] }),
    installLatestAwsSdk: false,
  });
  revoke('RestrictDefaultSecurityGroupCustomResource', 'revokeSecurityGroupIngress', { UserIdGroupPairs: [{ GroupId: sg }] });
  revoke('RestrictDefaultSecurityGroupEgress', 'revokeSecurityGroupEgress', { IpRanges: [{ CidrIp: '0.0.0.0/0' }] });
  acknowledgeProvider(scope);
  NagAcknowledgements.acknowledgeCompliance(vpc, 'VPCDefaultSecurityGroupClosed',
    'The default security group of this VPC is closed: two custom resources of the construct revoke its inbound and outbound rules (cdk-nag only recognises aws-cdk-lib\'s ec2.Vpc form of this, which needs an Availability Zone lookup).');
}

/**
 * The VPC of a warehouse given none: `zones` isolated /24 subnets (no internet route), the
 * default security group closed, an S3 gateway endpoint (COPY/UNLOAD/Spectrum traffic stays on
 * AWS's network with enhanced VPC routing) and flow logs of rejected traffic to an encrypted
 * log group. Returns the VPC as an `ec2.IVpc`, and the scope its endpoints belong in.
 */
export function createWarehouseVpc(scope: Construct, encryptionKey: kms.IKey, zones: number): { vpc: ec2.IVpc; vpcScope: Construct } {
  const vpcScope = new Construct(scope, 'Vpc');
  // L1 on purpose (see the file comment): ec2.Vpc needs an Availability Zone lookup in explicit-env stacks
  const cfnVpc = new ec2.CfnVPC(vpcScope, 'Resource', {
    cidrBlock: VPC_CIDR, enableDnsHostnames: true, enableDnsSupport: true, instanceTenancy: 'default',
  });
  Tags.of(vpcScope).add('Name', vpcScope.node.path);
  const availabilityZones: string[] = [];
  const subnetIds: string[] = [];
  const routeTableIds: string[] = [];
  for (let i = 0; i < zones; i++) {
    const subnetScope = new Construct(vpcScope, `${SUBNET_GROUP}Subnet${i + 1}`);
    const zone = Fn.select(i, Fn.getAzs());
    const subnet = new ec2.CfnSubnet(subnetScope, 'Subnet', {
      vpcId: cfnVpc.ref,
      availabilityZone: zone,
      cidrBlock: `10.0.${i}.0/24`,
      mapPublicIpOnLaunch: false,
      tags: [{ key: 'aws-cdk:subnet-name', value: SUBNET_GROUP }, { key: 'aws-cdk:subnet-type', value: ec2.SubnetType.PRIVATE_ISOLATED }],
    });
    const routeTable = new ec2.CfnRouteTable(subnetScope, 'RouteTable', { vpcId: cfnVpc.ref });
    Tags.of(subnetScope).add('Name', subnetScope.node.path);
    new ec2.CfnSubnetRouteTableAssociation(subnetScope, 'RouteTableAssociation', { routeTableId: routeTable.ref, subnetId: subnet.ref });
    availabilityZones.push(zone);
    subnetIds.push(subnet.ref);
    routeTableIds.push(routeTable.ref);
  }
  const vpc = ec2.Vpc.fromVpcAttributes(scope, 'VpcAttributes', {
    vpcId: cfnVpc.ref, availabilityZones, isolatedSubnetIds: subnetIds, isolatedSubnetRouteTableIds: routeTableIds,
  });
  new ec2.GatewayVpcEndpoint(vpcScope, 'S3', { vpc, service: ec2.GatewayVpcEndpointAwsService.S3 });
  closeDefaultSecurityGroup(vpcScope, cfnVpc);
  const flowLogs = new logs.LogGroup(scope, 'FlowLogs', { encryptionKey, retention: logs.RetentionDays.ONE_YEAR, removalPolicy: Sandbox.removalPolicy(scope) });
  new ec2.FlowLog(vpcScope, 'FlowLog', {
    resourceType: ec2.FlowLogResourceType.fromVpc(vpc),
    destination: VpcFlowLogs.toCloudWatchLogs(vpcScope, 'FlowLogRole', flowLogs),
    trafficType: ec2.FlowLogTrafficType.REJECT,
  });
  return { vpc, vpcScope };
}
