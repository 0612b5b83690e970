import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** What a {@link StreamIngestion} hands a destination when it binds it. */
export interface IngestionDestinationBindOptions {
  /** The role Firehose delivers with (trusted by firehose.amazonaws.com for this account only). */
  readonly role: iam.IRole;
  /** The role's policy: a destination adds the statements its delivery needs here, nothing else. */
  readonly policy: iam.Policy;
  /**
   * The destination's S3 part, already granted to the role under its prefixes: the bucket,
   * prefix, error prefix, buffering, compression, SSE-KMS key and error logging. OpenSearch
   * writes its failed documents there; Redshift stages the files it COPYs there.
   */
  readonly s3Configuration: firehose.CfnDeliveryStream.S3DestinationConfigurationProperty;
  /** The bucket of `s3Configuration`. */
  readonly bucket: s3.IBucket;
  /** The key objects in `bucket` are encrypted with. */
  readonly bucketKey: kms.IKey;
  /** Error logging of the delivery stream (the construct's log group and log stream). */
  readonly cloudWatchLoggingOptions: firehose.CfnDeliveryStream.CloudWatchLoggingOptionsProperty;
  /** Threshold of the data freshness alarm, in seconds (`alarms.deliveryFreshness` or its default). */
  readonly freshnessThresholdSeconds: number;
}

/** One alarm on a Firehose metric of the delivery stream (dimension DeliveryStreamName). */
export interface DeliveryAlarm {
  /** Construct id of the alarm (stable: keep it when the definition changes). */
  readonly id: string;
  /** Firehose metric name, e.g. `DeliveryToAmazonOpenSearchService.Success`. */
  readonly metricName: string;
  /** Statistic over 5 minutes, e.g. `Minimum`. */
  readonly statistic: string;
  /** Threshold (a number, or a token). */
  readonly threshold: number;
  /** How the metric is compared with the threshold. */
  readonly comparisonOperator: cloudwatch.ComparisonOperator;
  /** What the alarm means and what to do. */
  readonly description: string;
}

/** The part of the delivery stream a destination configures. */
export interface IngestionDestinationConfig {
  /**
   * OpenSearch Service destination configuration.
   * @default - not an OpenSearch destination
   */
  readonly openSearch?: firehose.CfnDeliveryStream.AmazonopensearchserviceDestinationConfigurationProperty;
  /**
   * Redshift destination configuration.
   * @default - not a Redshift destination
   */
  readonly redshift?: firehose.CfnDeliveryStream.RedshiftDestinationConfigurationProperty;
  /** Alarms on the destination's delivery metrics (freshness and failures at least). */
  readonly alarms: DeliveryAlarm[];
}

/**
 * Where a {@link StreamIngestion} delivers, when not to its S3 bucket (the default): an
 * {@link OpenSearchDestination} or a {@link RedshiftDestination}. Like aws-cdk-lib's Firehose
 * destinations, the object is bound once to the construct that uses it.
 */
export interface IIngestionDestination {
  /** Name of the destination for messages, e.g. `OpenSearch`. */
  readonly destinationName: string;
  /**
   * Grants the delivery role what the destination needs and returns its configuration.
   * @param scope the StreamIngestion (resources the destination creates go under it)
   */
  bind(scope: Construct, options: IngestionDestinationBindOptions): IngestionDestinationConfig;
}
