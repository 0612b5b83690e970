import * as fs from 'fs';
import * as path from 'path';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3_assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';

/**
 * Where a script is stored, after it has been bound to a construct.
 * @internal
 */
export interface BoundScript {
  /** `s3://bucket/key` of the script. */
  readonly s3Uri: string;
  /** The bucket holding the script. */
  readonly bucket: s3.IBucket;
  /** The script's object key. */
  readonly key: string;
}

/**
 * A Spark or Hive script for a job: a local file shipped as a CDK asset, or an
 * object that already exists in S3.
 */
export abstract class EmrScript {
  /**
   * A local file, uploaded to the CDK assets bucket at deploy time (no Docker, no bundling).
   * @param file path of the file (e.g. a `.py` or `.q` file)
   */
  public static fromAsset(file: string): EmrScript {
    return new AssetScript(file);
  }

  /**
   * A script shipped with this package (folder `assets/emr/`), e.g. `weblog_analysis.py`:
   * the reference apps' Spark job (raw JSON web logs to daily Parquet aggregates).
   */
  public static packaged(fileName: string): EmrScript {
    const dir = path.join(__dirname, '..', '..', 'assets', 'emr');
    const file = path.join(dir, fileName);
    if (!/^[\w.-]+$/.test(fileName) || !fs.existsSync(file)) {
      const available = fs.existsSync(dir) ? fs.readdirSync(dir).join(', ') : 'none';
      throw new Error(`EmrScript.packaged: no script ${JSON.stringify(fileName)} in ${dir}. Available: ${available}`);
    }
    return new AssetScript(file);
  }

  /**
   * An object in S3 that the job's role will be allowed to read.
   * @param bucket the bucket holding the script
   * @param key the object key, e.g. `scripts/job.py`
   */
  public static fromBucket(bucket: s3.IBucket, key: string): EmrScript {
    return new BucketScript(bucket, key);
  }

  /** The file or key name, for messages and validation (e.g. `job.py`). */
  public abstract readonly fileName: string;

  /** @internal */
  public abstract _bind(scope: Construct, id: string): BoundScript;
}

class AssetScript extends EmrScript {
  public readonly fileName: string;
  constructor(private readonly filePath: string) {
    super();
    this.fileName = path.basename(filePath);
  }
  public _bind(scope: Construct, id: string): BoundScript {
    // one asset per script object and scope: a script bound twice by the same construct is uploaded once
    const asset = (scope.node.tryFindChild(id) as s3_assets.Asset | undefined) ?? new s3_assets.Asset(scope, id, { path: this.filePath });
    return { s3Uri: asset.s3ObjectUrl, bucket: asset.bucket, key: asset.s3ObjectKey };
  }
}

class BucketScript extends EmrScript {
  public readonly fileName: string;
  constructor(private readonly bucket: s3.IBucket, private readonly key: string) {
    super();
    this.fileName = key.split('/').pop() ?? key;
  }
  public _bind(): BoundScript {
    return { s3Uri: this.bucket.s3UrlForObject(this.key), bucket: this.bucket, key: this.key };
  }
}

/** What EMR does to the cluster when a step fails. */
export enum StepFailureAction {
  /**
   * Keep the cluster running and let the state machine react (default): the
   * failure is caught and the cluster is terminated by the state machine.
   */
  CONTINUE = 'CONTINUE',
  /** Cancel the remaining steps and keep the cluster waiting. */
  CANCEL_AND_WAIT = 'CANCEL_AND_WAIT',
  /** Terminate the cluster at once (EMR itself; the state machine still terminates it as well). */
  TERMINATE_CLUSTER = 'TERMINATE_CLUSTER',
}

/** Options for a Spark step. */
export interface SparkStepOptions {
  /** Step name (1-256 characters, unique within the job). */
  readonly name: string;
  /** The PySpark script (or application JAR/py file) run by `spark-submit`. */
  readonly script: EmrScript;
  /**
   * Arguments passed to the script, after the script path.
   * @default - none
   */
  readonly arguments?: string[];
  /**
   * Spark configuration passed as `--conf key=value` to `spark-submit`.
   * @default - none
   */
  readonly sparkConf?: Record<string, string>;
  /**
   * What EMR does when the step fails.
   * @default StepFailureAction.CONTINUE
   */
  readonly actionOnFailure?: StepFailureAction;
}

/** Options for a Hive step. */
export interface HiveStepOptions {
  /** Step name (1-256 characters, unique within the job). */
  readonly name: string;
  /** The HiveQL script. */
  readonly script: EmrScript;
  /**
   * Hive variables, passed as `-d NAME=value` (used as `${NAME}` in the script).
   * @default - none
   */
  readonly variables?: Record<string, string>;
  /**
   * What EMR does when the step fails.
   * @default StepFailureAction.CONTINUE
   */
  readonly actionOnFailure?: StepFailureAction;
}

/** The engine a step needs on the cluster. */
export enum StepEngine {
  /** Apache Spark (`spark-submit`). */
  SPARK = 'SPARK',
  /** Apache Hive (`hive-script`). */
  HIVE = 'HIVE',
}

/**
 * A step of a transient EMR job, run with `command-runner.jar` (typed arguments
 * instead of free-form command lines).
 */
export class EmrStep {
  /** A Spark step: `spark-submit --deploy-mode cluster [--conf k=v ...] <script> <arguments>`. */
  public static spark(options: SparkStepOptions): EmrStep {
    return new EmrStep(options.name, StepEngine.SPARK, options.script, options.actionOnFailure ?? StepFailureAction.CONTINUE,
      (uri) => [
        'spark-submit', '--deploy-mode', 'cluster',
        ...Object.entries(options.sparkConf ?? {}).flatMap(([k, v]) => ['--conf', `${k}=${v}`]),
        uri,
        ...(options.arguments ?? []),
      ], options.sparkConf ?? {}, options.arguments ?? []);
  }

  /** A Hive step: `hive-script --run-hive-script --args -f <script> [-d NAME=value ...]`. */
  public static hive(options: HiveStepOptions): EmrStep {
    const vars = options.variables ?? {};
    return new EmrStep(options.name, StepEngine.HIVE, options.script, options.actionOnFailure ?? StepFailureAction.CONTINUE,
      (uri) => [
        'hive-script', '--run-hive-script', '--args', '-f', uri,
        ...Object.entries(vars).flatMap(([k, v]) => ['-d', `${k}=${v}`]),
      ], {}, Object.entries(vars).map(([k, v]) => `${k}=${v}`));
  }

  private constructor(
    /** Step name. */
    public readonly name: string,
    /** The engine the step needs. */
    public readonly engine: StepEngine,
    /** The script. */
    public readonly script: EmrScript,
    /** What EMR does when the step fails. */
    public readonly actionOnFailure: StepFailureAction,
    private readonly render: (scriptUri: string) => string[],
    /** Spark configuration (Spark steps). */
    public readonly sparkConf: Record<string, string>,
    /** Script arguments (Spark) or `NAME=value` variables (Hive). */
    public readonly scriptArguments: string[],
  ) {}

  /**
   * The `command-runner.jar` arguments for a script at `scriptUri`.
   */
  public commandArgs(scriptUri: string): string[] {
    return this.render(scriptUri);
  }
}
