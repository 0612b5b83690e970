/**
 * Every reference architecture, synthesized together by `npx cdk synth`
 * (`npx cdk synth <StackName>` picks one). Offline: stacks are environment-agnostic,
 * so no account, credentials or network are needed.
 *
 * cdk-nag runs four packs on every stack (AwsSolutions, NIST 800-53 R5, HIPAA Security,
 * PCI DSS 3.2.1): an unacknowledged error or warning fails synth.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { Construct } from 'constructs';
import { BatchAnalyticsStack } from './batch-analytics/src';
import { ChangeDataCaptureLakeStack } from './cdc-data-lake/src';
import { ClickstreamIngestionStack } from './clickstream/src';
import { RealTimeAnalyticsStack } from './real-time-analytics/src';
import { StreamingDataLakeStack } from './streaming-data-lake/src';
import { WarehouseStack } from './warehouse/src';

/** A reference app: its stack name and how to add it to an App. */
export interface ReferenceApp {
  readonly stackName: string;
  readonly build: (scope: Construct) => void;
  /** Its folder under apps/ (README, diagram). Default: the stack name in kebab case. */
  readonly folder?: string;
}

/** The reference apps, in the order of the README. */
export const REFERENCE_APPS: ReferenceApp[] = [
  { stackName: 'ClickstreamIngestion', folder: 'clickstream', build: (scope) => new ClickstreamIngestionStack(scope, 'ClickstreamIngestion') },
  { stackName: 'StreamingDataLake', build: (scope) => new StreamingDataLakeStack(scope, 'StreamingDataLake') },
  { stackName: 'Warehouse', build: (scope) => new WarehouseStack(scope, 'Warehouse') },
  { stackName: 'BatchAnalytics', build: (scope) => new BatchAnalyticsStack(scope, 'BatchAnalytics') },
  { stackName: 'RealTimeAnalytics', build: (scope) => new RealTimeAnalyticsStack(scope, 'RealTimeAnalytics') },
  { stackName: 'ChangeDataCaptureLake', folder: 'cdc-data-lake', build: (scope) => new ChangeDataCaptureLakeStack(scope, 'ChangeDataCaptureLake') },
];

/** Adds every reference app to `app`. */
export function buildApps(app: App): void {
  for (const ref of REFERENCE_APPS) ref.build(app);
}

if (require.main === module) {
  const app = new App();
  buildApps(app);
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app), new NIST80053R5Checks(app), new HIPAASecurityChecks(app), new PCIDSS321Checks(app),
  );
  app.synth();
}
