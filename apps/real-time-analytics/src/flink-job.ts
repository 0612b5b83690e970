import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Validate } from '@analytics-patterns/core';
import { Annotations } from 'aws-cdk-lib';
import * as s3_assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';

/** The job's source folder (main.py, its tests, lib/ for the connector JAR). */
export const FLINK_DIR = path.join(__dirname, '..', 'flink');

/**
 * The Apache Flink Kinesis SQL connector the job needs (source and sink, identifier `kinesis`),
 * built for Flink 1.20, the application's runtime. It is on Maven Central only: the learner
 * downloads it (LAB.md); it is never committed.
 */
export const CONNECTOR = {
  groupId: 'org.apache.flink',
  artifactId: 'flink-sql-connector-kinesis',
  version: '5.0.0-1.20',
  get fileName(): string {
    return `${this.artifactId}-${this.version}.jar`;
  },
  get url(): string {
    return `https://repo1.maven.org/maven2/${this.groupId.replace(/\./g, '/')}/${this.artifactId}/${this.version}/${this.fileName}`;
  },
};

/** Where the connector JAR is looked for when no path is given. */
export const DEFAULT_CONNECTOR_PATH = path.join(FLINK_DIR, 'lib', CONNECTOR.fileName);

/** The job's code package, as Managed Service for Apache Flink runs a Python application. */
export interface FlinkJobPackage {
  /** The zip file (a CDK asset of a staged folder: main.py, and lib/<jar> when available). */
  readonly asset: s3_assets.Asset;
  /** Path of the Python main file inside the zip (the run option `python`). */
  readonly pythonFile: string;
  /** Path of the connector JAR inside the zip (the run option `jarfile`). */
  readonly jarFile: string;
  /** Whether the connector JAR is inside the zip. */
  readonly connectorIncluded: boolean;
  /** The staged folder the zip is made of. */
  readonly stagedDirectory: string;
}

/**
 * A folder holding exactly what the zip needs, named by its inputs (so synthesizing twice
 * reuses it): main.py, and lib/<jar> if the JAR exists.
 */
function stage(jarPath: string, included: boolean): string {
  const main = fs.readFileSync(path.join(FLINK_DIR, 'main.py'));
  const jarStat = included ? fs.statSync(jarPath) : undefined;
  const id = createHash('sha256').update(main).update(`${jarPath}|${jarStat?.size}|${jarStat?.mtimeMs}`).digest('hex').slice(0, 16);
  const dir = path.join(os.tmpdir(), 'analytics-patterns-real-time-flink', id);
  if (!fs.existsSync(path.join(dir, 'main.py'))) {
    const partial = `${dir}.${process.pid}.tmp`;
    fs.rmSync(partial, { recursive: true, force: true });
    fs.mkdirSync(path.join(partial, 'lib'), { recursive: true });
    fs.writeFileSync(path.join(partial, 'main.py'), main);
    if (included) fs.copyFileSync(jarPath, path.join(partial, 'lib', path.basename(jarPath)));
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    try {
      fs.renameSync(partial, dir);
    } catch {
      // another synthesis staged the same folder meanwhile
      fs.rmSync(partial, { recursive: true, force: true });
    }
  }
  return dir;
}

/**
 * Packages the PyFlink job for Managed Service for Apache Flink: a zip with `main.py` at its
 * root and the Kinesis SQL connector under `lib/`. A JAR path given explicitly (prop or context)
 * must exist; the default path may be missing (a fresh clone, the root `cdk synth`, the tests):
 * the zip is then built without it and a warning says how to get it, since the application
 * would fail when started.
 * @param defaultPath where the JAR is looked for when no path is given (tests point it elsewhere)
 */
export function packageFlinkJob(scope: Construct, jarPath: string | undefined, defaultPath: string = DEFAULT_CONNECTOR_PATH): FlinkJobPackage {
  const explicit = jarPath !== undefined;
  const jar = path.resolve(jarPath ?? defaultPath);
  if (explicit) {
    Validate.that(scope, jar.endsWith('.jar') && fs.existsSync(jar) && fs.statSync(jar).isFile(), {
      prop: 'flinkConnectorJar',
      value: jarPath,
      allowed: `an existing .jar file: the Flink Kinesis SQL connector ${CONNECTOR.artifactId} ${CONNECTOR.version}`,
      hint: `Download it from ${CONNECTOR.url}`,
    });
  }
  const included = fs.existsSync(jar);
  if (!included) {
    Annotations.of(scope).addWarningV2('@analytics-patterns/app-real-time-analytics:FlinkConnectorMissing',
      `The Flink Kinesis SQL connector is not at ${path.relative(process.cwd(), jar)}: the Flink application is deployed without it and `
      + `will fail when started. Download it first: curl -fLo ${path.relative(process.cwd(), jar)} ${CONNECTOR.url} (see LAB.md), `
      + 'or pass its path with -c flink-connector-jar=<path>.');
  }
  const stagedDirectory = stage(jar, included);
  const asset = new s3_assets.Asset(scope, 'FlinkJobCode', { path: stagedDirectory });
  return { asset, pythonFile: 'main.py', jarFile: `lib/${path.basename(jar)}`, connectorIncluded: included, stagedDirectory };
}
