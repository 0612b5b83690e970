/**
 * Every reference architecture, synthesized together by `npx cdk synth`
 * (`npx cdk synth <StackName>` picks one). Offline: stacks are environment-agnostic,
 * so no account, credentials or network are needed.
 *
 * cdk-nag's AwsSolutions pack runs on every stack: an unacknowledged finding fails synth.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ClickstreamIngestionStack } from './clickstream/src';

export function buildApps(app: App): void {
  new ClickstreamIngestionStack(app, 'ClickstreamIngestion');
}

if (require.main === module) {
  const app = new App();
  buildApps(app);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  app.synth();
}
