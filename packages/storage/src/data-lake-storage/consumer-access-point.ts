import { Annotations, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { DataLakeAccessPoint, DataLakeAccessPointOptions } from './data-lake-storage-props';

/** The statement-id suffix derived from an access point name (`finance-reports` -> `FinanceReports`). */
export function statementSuffix(name: string): string {
  return name.split('-').map((p) => p.charAt(0).toUpperCase() + p.slice(1)).join('');
}

interface AccessPointRequests {
  readonly accessPointArn: string;
  readonly prefix: string;
  readonly objectActions: string[];
  readonly listCondition?: Record<string, Record<string, string>>;
}

/**
 * An access point for one consumer of one zone (notes 2.2): its policy allows only that consumer,
 * only under the prefix; the zone bucket's policy delegates exactly those requests through it
 * (condition `s3:DataAccessPointArn`), and the consumer may use the bucket's key.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-points-policies.html
 */
export function createConsumerAccessPoint(
  scope: Construct, bucket: s3.IBucket, zonePrefix: string, options: DataLakeAccessPointOptions,
): DataLakeAccessPoint {
  const stack = Stack.of(scope);
  const prefix = `${zonePrefix}${options.prefix ?? ''}`;
  const requests: AccessPointRequests = {
    accessPointArn: stack.formatArn({ service: 's3', resource: 'accesspoint', resourceName: options.name }),
    prefix,
    objectActions: ['s3:GetObject', ...(options.allowWrite ? ['s3:PutObject', 's3:AbortMultipartUpload'] : [])],
    listCondition: prefix === '' ? undefined : { StringLike: { 's3:prefix': `${prefix}*` } },
  };
  const resource = new s3.CfnAccessPoint(scope, `AccessPoint-${options.name}`, {
    bucket: bucket.bucketName,
    name: options.name,
    bucketAccountId: stack.account,
    policy: accessPointPolicy(options.consumer, requests),
    publicAccessBlockConfiguration: { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
  });
  delegateToAccessPoint(bucket, options, requests);
  const key = bucket.encryptionKey;
  if (key && options.allowWrite) key.grantEncryptDecrypt(options.consumer);
  else if (key) key.grantDecrypt(options.consumer);
  return { name: options.name, zone: options.zone, prefix, accessPointArn: requests.accessPointArn, resource };
}

function accessPointPolicy(consumer: iam.IPrincipal, r: AccessPointRequests): iam.PolicyDocument {
  return new iam.PolicyDocument({
    statements: [
      new iam.PolicyStatement({ sid: 'ConsumerObjects', principals: [consumer], actions: r.objectActions, resources: [`${r.accessPointArn}/object/${r.prefix}*`] }),
      new iam.PolicyStatement({ sid: 'ConsumerList', principals: [consumer], actions: ['s3:ListBucket'], resources: [r.accessPointArn], conditions: r.listCondition }),
    ],
  });
}

/** The bucket delegates exactly these requests, and only through this access point. */
function delegateToAccessPoint(bucket: s3.IBucket, options: DataLakeAccessPointOptions, r: AccessPointRequests): void {
  const viaAccessPoint = { StringEquals: { 's3:DataAccessPointArn': r.accessPointArn } };
  const suffix = statementSuffix(options.name);
  const added = bucket.addToResourcePolicy(new iam.PolicyStatement({
    sid: `DelegateObjects${suffix}`,
    principals: [options.consumer],
    actions: r.objectActions,
    resources: [bucket.arnForObjects(`${r.prefix}*`)],
    conditions: viaAccessPoint,
  })).statementAdded;
  bucket.addToResourcePolicy(new iam.PolicyStatement({
    sid: `DelegateList${suffix}`,
    principals: [options.consumer],
    actions: ['s3:ListBucket'],
    resources: [bucket.bucketArn],
    conditions: { ...viaAccessPoint, ...r.listCondition },
  }));
  if (!added) {
    Annotations.of(bucket).addWarningV2('@analytics-patterns/storage:AccessPointDelegation',
      `${bucket.node.path} is imported, so its policy is managed elsewhere: for access point ${options.name} its bucket policy must allow `
      + `the consumer ${r.objectActions.join(', ')} on objects under "${r.prefix}" and s3:ListBucket, with the condition `
      + `s3:DataAccessPointArn ${r.accessPointArn} (or delegate all access to access points of this account).`);
  }
}
