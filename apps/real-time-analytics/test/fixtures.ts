import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { testApp } from '@analytics-patterns/testing';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CONNECTOR, RealTimeAnalyticsStack, RealTimeAnalyticsStackProps } from '../src';

/**
 * A stand-in for the connector JAR (a file of that name; its content does not matter to the
 * stack), so the tests never depend on whether a developer downloaded the real one.
 */
export function fakeConnectorJar(): string {
  const dir = path.join(os.tmpdir(), 'real-time-analytics-test-connector');
  const jar = path.join(dir, CONNECTOR.fileName);
  if (!fs.existsSync(jar)) {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(jar, 'not a real jar: test stand-in');
  }
  return jar;
}

/** The app's stack with the stand-in JAR (unless props say otherwise), and its template. */
export function build(props: RealTimeAnalyticsStackProps = {}, options: { sandbox?: boolean; context?: Record<string, unknown> } = {}) {
  const app: App = testApp(options);
  const stack = new RealTimeAnalyticsStack(app, 'RealTimeAnalytics', { flinkConnectorJar: fakeConnectorJar(), ...props });
  return { app, stack, template: Template.fromStack(stack) };
}

/** The logical id of a construct's L1 (or of the L1 itself). */
export function idOf(stack: RealTimeAnalyticsStack, construct: any): string {
  return stack.getLogicalId(construct.node.defaultChild ?? construct);
}
