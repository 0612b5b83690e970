import { ArnFormat, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { FormatConversionOptions } from './stream-ingestion-props';

/** The Kinesis actions Firehose documents for a Kinesis data stream source. */
const SOURCE_ACTIONS = ['kinesis:DescribeStream', 'kinesis:DescribeStreamSummary', 'kinesis:GetShardIterator', 'kinesis:GetRecords', 'kinesis:ListShards'];
/** The S3 actions Firehose documents for S3 delivery (bucket-level ones apply to the bucket ARN). */
const S3_ACTIONS = ['s3:AbortMultipartUpload', 's3:GetBucketLocation', 's3:GetObject', 's3:ListBucket', 's3:ListBucketMultipartUploads', 's3:PutObject'];

/** Reading the source stream and, when it is encrypted, decrypting through Kinesis. */
export function sourceStatements(stream: kinesis.IStream, streamKey?: kms.IKey): iam.PolicyStatement[] {
  const statements = [new iam.PolicyStatement({ sid: 'ReadSourceStream', actions: SOURCE_ACTIONS, resources: [stream.streamArn] })];
  if (streamKey) {
    statements.push(new iam.PolicyStatement({
      sid: 'DecryptSourceStream',
      actions: ['kms:Decrypt'],
      resources: [streamKey.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `kinesis.${Stack.of(stream).region}.amazonaws.com` } },
    }));
  }
  return statements;
}

/**
 * The key prefixes the delivery role may write under: the data prefix and the fixed part of
 * the error prefix, without one that another already covers. An empty prefix means the whole bucket.
 */
export function writablePrefixes(prefixes: string[]): string[] {
  const unique = [...new Set(prefixes)];
  return unique.filter((p) => Token.isUnresolved(p) || !unique.some((q) => q !== p && !Token.isUnresolved(q) && p.startsWith(q)));
}

/**
 * Writing objects under `prefixes` of `bucket`, encrypted with `key` through S3 with the
 * bucket's (S3 Bucket Key) or the object's encryption context, and nothing else in the bucket.
 */
export function bucketStatements(bucket: s3.IBucket, key: kms.IKey, prefixes: string[]): iam.PolicyStatement[] {
  const objects = prefixes.map((p) => bucket.arnForObjects(`${p}*`));
  return [
    new iam.PolicyStatement({ sid: 'WriteDestinationBucket', actions: S3_ACTIONS, resources: [bucket.bucketArn, ...objects] }),
    new iam.PolicyStatement({
      sid: 'EncryptDestinationObjects',
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resources: [key.keyArn],
      conditions: {
        StringEquals: { 'kms:ViaService': `s3.${Stack.of(bucket).region}.amazonaws.com` },
        // with S3 Bucket Keys the context is the bucket ARN, otherwise the object ARN
        StringLike: { 'kms:EncryptionContext:aws:s3:arn': [bucket.bucketArn, ...objects] },
      },
    }),
  ];
}

/** Writing error records to the one log stream of the delivery stream. */
export function logStatement(stack: Stack, logGroupName: string, logStreamName: string): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'WriteErrorLogs',
    actions: ['logs:PutLogEvents'],
    resources: [stack.formatArn({
      service: 'logs',
      resource: 'log-group',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      resourceName: `${logGroupName}:log-stream:${logStreamName}`,
    })],
  });
}

/** Reading the Glue table whose schema record format conversion uses. */
export function schemaStatement(stack: Stack, conversion: FormatConversionOptions): iam.PolicyStatement {
  const catalog = conversion.catalogId ?? stack.account;
  const arn = (resource: string, resourceName?: string) => stack.formatArn({ service: 'glue', account: catalog, resource, resourceName });
  return new iam.PolicyStatement({
    sid: 'ReadConversionSchema',
    actions: ['glue:GetTable', 'glue:GetTableVersion', 'glue:GetTableVersions'],
    resources: [
      arn('catalog'),
      arn('database', conversion.databaseName),
      arn('table', `${conversion.databaseName}/${conversion.tableName}`),
    ],
  });
}
