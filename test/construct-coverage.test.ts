import * as analysis from '@analytics-patterns/analysis';
import * as collection from '@analytics-patterns/collection';
import * as core from '@analytics-patterns/core';
import * as processing from '@analytics-patterns/processing';
import * as security from '@analytics-patterns/security';
import * as storage from '@analytics-patterns/storage';
import * as visualization from '@analytics-patterns/visualization';
import { App, Stack } from 'aws-cdk-lib';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import { Construct } from 'constructs';
import { buildApps } from '../apps/main';
import { testApp } from '@analytics-patterns/testing';

/**
 * Issue 13's promise, checked mechanically: every construct the libraries export is used by at
 * least one reference app (by default, or with an option the app's README and LAB.md document),
 * so a new construct that no app composes fails here. Building the apps is enough (no synth).
 */
const LIBRARIES = { analysis, collection, core, processing, security, storage, visualization };

/** The documented options that add constructs (each app's README lists them). */
const OPTIONS = {
  'warehouse-hsm': 'true',
  'cdc-streaming': 'true',
  'cdc-connector-plugin': 's3://connector-artifacts-123456789012/confluent-s3-sink-10.5.zip',
  'cdc-bootstrap-servers': 'b-1.cdc.abc123.c2.kafka.eu-west-1.amazonaws.com:9098,b-2.cdc.abc123.c2.kafka.eu-west-1.amazonaws.com:9098',
  'clickstream-redshift-host': 'analytics.123456789012.eu-west-1.redshift-serverless.amazonaws.com',
  'clickstream-redshift-secret-arn': 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:firehose-loader-AbCdEf',
  'analytics-patterns:sandbox': 'true',
  'analytics-patterns:sandbox-ttl-hours': '4',
  'analytics-patterns:budget-usd': '10',
  'alarm-emails': 'lab@example.com',
};

/** Constructs only an option adds, with the option; everything else is in the default `cdk synth`. */
const OPT_IN: Record<string, string> = {
  'security.HsmCluster': 'warehouse-hsm',
  'collection.KafkaCluster': 'cdc-streaming',
  'collection.KafkaS3SinkConnector': 'cdc-streaming + cdc-connector-plugin + cdc-bootstrap-servers (second deployment)',
  'core.SandboxLifetime': 'analytics-patterns:sandbox-ttl-hours / budget-usd',
  'core.SandboxExpiry': 'analytics-patterns:sandbox-ttl-hours',
  'core.SandboxBudget': 'analytics-patterns:budget-usd',
};

/** Every construct class the libraries export, as `package.Class`. */
function exportedConstructs(): Map<string, Function> {
  const out = new Map<string, Function>();
  for (const [lib, exports] of Object.entries(LIBRARIES)) {
    for (const [name, value] of Object.entries<any>(exports)) {
      if (typeof value === 'function' && value.prototype instanceof Construct) out.set(`${lib}.${name}`, value);
    }
  }
  return out;
}

function unused(app: App): string[] {
  const all = app.node.findAll();
  return [...exportedConstructs()].filter(([, cls]) => !all.some((c) => c instanceof cls)).map(([name]) => name).sort();
}

function appWith(context: Record<string, string>): App {
  const app = testApp({ context });
  buildApps(app);
  return app;
}

// each app is built once and read by the tests below (they only look, never add)
const withOptions = appWith(OPTIONS);
const byDefault = appWith({});

const DESTINATIONS = {
  S3: (d: firehose.CfnDeliveryStream) => d.extendedS3DestinationConfiguration,
  OpenSearch: (d: firehose.CfnDeliveryStream) => d.amazonopensearchserviceDestinationConfiguration,
  Redshift: (d: firehose.CfnDeliveryStream) => d.redshiftDestinationConfiguration,
};
/** `Stack Destination` for every delivery stream of `app`. */
const destinationsOf = (app: App) => app.node.findAll()
  .filter((c): c is firehose.CfnDeliveryStream => c instanceof firehose.CfnDeliveryStream)
  .map((d) => `${Stack.of(d).stackName} ${Object.entries(DESTINATIONS).filter(([, of]) => of(d) !== undefined).map(([name]) => name).join()}`);

test('the libraries export at least 35 constructs, the headline ones among them (the checks below are not vacuous)', () => {
  expect(exportedConstructs().size).toBeGreaterThanOrEqual(35);
  expect([...exportedConstructs().keys()]).toEqual(expect.arrayContaining([
    'collection.StreamIngestion', 'analysis.StagingUpsert', 'processing.SecureDataLake', 'processing.TransientEmrCluster', 'security.HsmCluster',
  ]));
});

test('with the documented options, every exported construct is used by some reference app', () => {
  expect(unused(withOptions)).toEqual([]);
});

test('by default (what `npx cdk synth` builds) only the opt-in constructs are missing', () => {
  expect(unused(byDefault)).toEqual(Object.keys(OPT_IN).sort());
});

test('the Firehose destinations (bindings, not constructs): S3 everywhere, OpenSearch in RealTimeAnalytics, Redshift in Clickstream\'s option', () => {
  expect(destinationsOf(byDefault).sort()).toEqual([
    'ClickstreamIngestion S3', 'RealTimeAnalytics OpenSearch', 'StreamingDataLake S3',
  ]);
  expect(destinationsOf(withOptions).filter((d) => !/ S3$/.test(d)).sort()).toEqual(['ClickstreamIngestion Redshift', 'RealTimeAnalytics OpenSearch']);
});
