import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EmrScript } from '../transient-emr-cluster/emr-script';
import { S3Location } from '../transient-emr-cluster/transient-emr-cluster-props';

/** CPU architecture of EMR Serverless workers. */
export enum ServerlessArchitecture {
  /** x86_64. */
  X86_64 = 'X86_64',
  /** AWS Graviton (arm64): usually cheaper for the same work. */
  ARM64 = 'ARM64',
}

/** Props for {@link EmrServerlessJob}. */
export interface EmrServerlessJobProps {
  /** The PySpark script (entry point of `spark-submit`). */
  readonly script: EmrScript;
  /**
   * Arguments passed to the script.
   * @default - none
   */
  readonly arguments?: string[];
  /**
   * Spark configuration passed as `--conf key=value` (e.g. `spark.executor.memory`).
   * @default - none
   */
  readonly sparkConf?: Record<string, string>;
  /**
   * Locations the job reads.
   * @default - none
   */
  readonly readLocations?: S3Location[];
  /**
   * Locations the job writes (also readable).
   * @default - none
   */
  readonly writeLocations?: S3Location[];
  /**
   * EMR release (`emr-x.y.z`, 6.6.0 or later).
   * @default 'emr-7.12.0'
   */
  readonly releaseLabel?: string;
  /**
   * The application stops (no cost) after this idle time: 1 minute to 7 days.
   * @default Duration.minutes(15)
   */
  readonly autoStopAfter?: Duration;
  /**
   * Upper bound of the application's workers, in vCPUs (caps cost).
   * @default 32
   */
  readonly maximumVcpu?: number;
  /**
   * Upper bound of the application's workers' memory, in GB.
   * @default 128
   */
  readonly maximumMemoryGb?: number;
  /**
   * Worker architecture.
   * @default ServerlessArchitecture.X86_64
   */
  readonly architecture?: ServerlessArchitecture;
  /**
   * Run the workers in this VPC (to reach private resources).
   * @default - no VPC: workers reach only AWS services' public endpoints
   */
  readonly vpc?: ec2.IVpc;
  /**
   * Subnets of the workers, when `vpc` is given.
   * @default - the VPC's private subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * Maximum run time of a job run: 1 minute to 7 days (the service cancels it after that).
   * @default Duration.hours(6)
   */
  readonly jobTimeout?: Duration;
  /**
   * Key for the job logs in S3 and the state machine log group.
   * @default - a new DataKey with rotation
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Bucket that receives the job logs (under `emr-serverless-logs/`).
   * @default - a new SecureBucket
   */
  readonly logBucket?: s3.IBucket;
  /**
   * Topic notified when a job run fails.
   * @default - no notification
   */
  readonly notificationTopic?: sns.ITopic;
  /**
   * Retention of the state machine's log group.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}
