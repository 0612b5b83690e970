import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3_assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';

/** Where the application's code (a JAR or ZIP) is. */
export class FlinkCode {
  /** An object in a bucket. */
  public static fromBucket(bucket: s3.IBucket, key: string, objectVersion?: string): FlinkCode {
    return new FlinkCode(bucket, key, objectVersion);
  }

  /** A local file, uploaded as a CDK asset. */
  public static fromAsset(scope: Construct, id: string, path: string): FlinkCode {
    const asset = new s3_assets.Asset(scope, id, { path });
    return new FlinkCode(asset.bucket, asset.s3ObjectKey);
  }

  private constructor(
    /** The bucket. */
    public readonly bucket: s3.IBucket,
    /** The object key. */
    public readonly key: string,
    /** The object version. */
    public readonly objectVersion?: string,
  ) {}
}
