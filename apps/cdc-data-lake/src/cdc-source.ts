import { SourceEngine } from '@analytics-patterns/collection';
import { ContextValues } from '@analytics-patterns/core';
import { CfnParameter, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

/** The source database DMS replicates from (yours, or the lab's). */
export interface CdcSource {
  /** Engine of the source (DMS endpoint engine). */
  readonly engine: SourceEngine;
  /** Name of the database that holds the `sales.orders` table. */
  readonly databaseName: string;
  /** Secret with `host`, `port`, `username` and `password` (the format DMS reads). */
  readonly secret: secretsmanager.ISecret;
  /**
   * Where the source is, for the replication's egress rule.
   * @default - any IPv4 address, on the database port only
   */
  readonly peer?: ec2.IPeer;
  /**
   * Port of the source.
   * @default 5432 for PostgreSQL engines, 3306 for MySQL-compatible ones
   */
  readonly port?: number;
}

/** Context keys that describe a source of your own (`-c key=value`). */
export const SOURCE_CONTEXT = {
  /** ARN of the secret (complete ARN, with its random suffix). */
  secretArn: 'cdc-source-secret-arn',
  /** ARN of the customer-managed key of the secret, if any (so DMS may decrypt it). */
  secretKeyArn: 'cdc-source-secret-key-arn',
  /** DMS engine name: postgres, aurora-postgresql, mysql, mariadb or aurora. */
  engine: 'cdc-source-engine',
  /** Database name. */
  databaseName: 'cdc-source-database',
  /** CIDR of the source's network, e.g. 10.20.0.0/16. */
  cidr: 'cdc-source-cidr',
} as const;

/** Database name of the lab's source, and the default for a source of your own. */
export const DEFAULT_DATABASE = 'appdb';

/**
 * A source of your own, from context values; without `cdc-source-secret-arn` the secret's ARN
 * becomes a CloudFormation parameter (`SourceSecretArn`), required at deploy time.
 */
export function sourceFromContext(scope: Construct): CdcSource {
  const ctx = (key: string): string | undefined => ContextValues.string(scope, key);
  const arn = ctx(SOURCE_CONTEXT.secretArn) ?? new CfnParameter(Stack.of(scope), 'SourceSecretArn', {
    type: 'String',
    description: 'Complete ARN of the Secrets Manager secret of the source database (host, port, username, password)',
    allowedPattern: '^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:.+$',
    // an ARN is no secret, but its name makes the template validator take it for a password (W2509)
    noEcho: true,
  }).valueAsString;
  const keyArn = ctx(SOURCE_CONTEXT.secretKeyArn);
  const engine = (ctx(SOURCE_CONTEXT.engine) ?? SourceEngine.POSTGRES) as SourceEngine;
  const cidr = ctx(SOURCE_CONTEXT.cidr);
  return {
    engine,
    databaseName: ctx(SOURCE_CONTEXT.databaseName) ?? DEFAULT_DATABASE,
    secret: secretsmanager.Secret.fromSecretAttributes(scope, 'SourceSecret', {
      secretCompleteArn: arn,
      encryptionKey: keyArn ? kms.Key.fromKeyArn(scope, 'SourceSecretKey', keyArn) : undefined,
    }),
    peer: cidr ? ec2.Peer.ipv4(cidr) : undefined,
  };
}
