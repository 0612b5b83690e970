/*
 * Internal: the first half of the upsert state machine (L2, JSONata). It turns a manifest key
 * into the identity of the data: checks the key, reads the manifest (ETag, version id), reads
 * the ETag and size of every data file it lists, computes the data id, and writes the frozen
 * manifest that COPY will read, so that what is loaded is exactly what is recorded.
 */
import { S3Limits } from '@analytics-patterns/core';
import { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { StagingUpsertProps } from './staging-upsert-props';
import { UpsertLimits } from './upsert-limits';
import { LOAD_VALUE_RULES } from './upsert-sql';

/** Values the construct derives from its props (numbers may be tokens). */
export interface UpsertSettings {
  readonly name: string;
  readonly suffix: string;
  readonly dataPrefix: string;
  readonly frozenPrefix: string;
  readonly pollSeconds: number;
  readonly timeoutSeconds: number;
  readonly maxAttempts: number;
}

export interface ManifestStatesOptions {
  /** Plain JSON values assigned at the start (no SQL inside expressions). */
  readonly constants: Record<string, unknown>;
  readonly valueRules: typeof LOAD_VALUE_RULES;
  /** Where to go once the data is identified and frozen. */
  readonly next: sfn.IChainable;
}

/** S3 errors worth retrying (server side, throttling, client-side network). */
const S3_TRANSIENT = ['S3.InternalError', 'S3.InternalErrorException', 'S3.SlowDown', 'S3.SlowDownException',
  'S3.ServiceUnavailable', 'S3.ServiceUnavailableException', 'S3.SdkClientException'];
const S3_RETRY: sfn.RetryProps = {
  errors: S3_TRANSIENT, interval: Duration.seconds(2), maxAttempts: 5, backoffRate: 2, jitterStrategy: sfn.JitterType.FULL,
};

/** Builds the states and returns the entry state (`Start`). */
export function manifestStates(scope: Construct, props: StagingUpsertProps, s: UpsertSettings, o: ManifestStatesOptions): sfn.State {
  const bucket = props.sourceBucket;
  const fail = (id: string, error: string, cause: string) => sfn.Fail.jsonata(scope, id, { error, cause });
  const start = sfn.Pass.jsonata(scope, 'Start', {
    comment: 'Constants as plain JSON values: bucket, prefixes, SQL templates',
    assign: {
      ...o.constants,
      bucketName: bucket.bucketName,
      manifestPrefix: props.manifestPrefix,
      manifestSuffix: s.suffix,
      // an empty string is written as a JSONata literal (ASL rejects empty strings there)
      dataPrefix: s.dataPrefix === '' ? "{% '' %}" : s.dataPrefix,
      frozenPrefix: s.frozenPrefix,
      polls: 0,
    },
  });
  const read = new tasks.CallAwsService(scope, 'ReadManifest', {
    queryLanguage: sfn.QueryLanguage.JSONATA,
    comment: 'The version read (ETag, version id) and the entries it lists',
    service: 's3',
    action: 'getObject',
    iamAction: 's3:GetObject',
    iamResources: [bucket.arnForObjects(`${props.manifestPrefix}*`)],
    parameters: { Bucket: '{% $bucketName %}', Key: '{% $manifestKey %}' },
    assign: {
      manifestEtag: '{% $replace($states.result.ETag, \'"\', \'\') %}',
      manifestVersion: "{% $exists($states.result.VersionId) ? $states.result.VersionId : 'null' %}",
      manifestChars: '{% $length($states.result.Body) %}',
      manifestEntries: '{% $parse($states.result.Body).entries %}',
    },
    outputs: {},
  }).addRetry(S3_RETRY);
  read.addCatch(fail('ManifestUnreadable', 'Upsert.ManifestUnreadable', 'The manifest could not be read or is not JSON (see the ReadManifest state in the execution history)'),
    { errors: ['States.ALL'] });
  const checkKey = sfn.Choice.jsonata(scope, 'CheckManifestKey', {
    comment: 'Allow-list: only these characters can reach the SQL text (no quote, backslash, "$" or space)',
  }).when(sfn.Condition.jsonata(keyCondition()), read, { assign: { manifestKey: '{% $states.input.manifestKey %}' } })
    .otherwise(fail('RejectManifestKey', 'Upsert.InvalidManifestKey',
      `manifestKey must be a string under the manifest prefix, ending with ${s.suffix}, made of the characters A-Za-z0-9!_.()=/-`));
  const stat = statFiles(scope, props, s, fail);
  read.next(sfn.Choice.jsonata(scope, 'CheckManifest', { comment: 'Entries: 1 to the budget, each a file under the data prefix of the source bucket' })
    .when(sfn.Condition.jsonata(manifestCondition(o.valueRules)), stat)
    .otherwise(fail('RejectManifest', 'Upsert.InvalidManifest',
      `A manifest must be JSON of at most ${UpsertLimits.MANIFEST_CHARS} characters with 1-${UpsertLimits.MANIFEST_FILES} entries, each {"url": "s3://<source bucket>/<data prefix>..."} `
      + 'made of the characters A-Za-z0-9!_.()=/-, and a valid ETag and version id')));
  stat.next(freeze(scope, props, s, fail, o.next));
  start.next(checkKey);
  return start;
}

/** HeadObject of every listed file (ETag, size), then the sorted file list, the data id and the frozen manifest. */
function statFiles(scope: Construct, props: StagingUpsertProps, s: UpsertSettings, fail: FailFactory): sfn.Map {
  const head = new tasks.CallAwsService(scope, 'HeadDataFile', {
    queryLanguage: sfn.QueryLanguage.JSONATA,
    service: 's3',
    action: 'headObject',
    iamAction: 's3:GetObject',
    iamResources: [props.sourceBucket.arnForObjects(`${s.dataPrefix}*`)],
    parameters: { Bucket: '{% $bucketName %}', Key: "{% $substringAfter($states.input.url, 's3://' & $bucketName & '/') %}" },
    outputs: { etag: '{% $replace($states.result.ETag, \'"\', \'\') %}', size: '{% $states.result.ContentLength %}' },
  }).addRetry(S3_RETRY);
  const map = sfn.Map.jsonata(scope, 'StatDataFiles', {
    comment: 'What identifies the data: every listed file\'s ETag and size',
    items: sfn.ProvideItems.jsonata('{% $manifestEntries %}'),
    maxConcurrency: 10,
    assign: { load: FINGERPRINT },
    outputs: {},
  });
  map.itemProcessor(head);
  map.addCatch(fail('DataFileUnreadable', 'Upsert.DataFileUnreadable', 'A data file listed in the manifest could not be read (missing or no access)'), { errors: ['States.ALL'] });
  return map;
}

type FailFactory = (id: string, error: string, cause: string) => sfn.Fail;

/** Writes the frozen manifest (content-addressed by the data id: rewriting it is idempotent). */
function freeze(scope: Construct, props: StagingUpsertProps, s: UpsertSettings, fail: FailFactory, next: sfn.IChainable): sfn.State {
  const put = new tasks.CallAwsService(scope, 'FreezeManifest', {
    queryLanguage: sfn.QueryLanguage.JSONATA,
    comment: 'COPY reads this copy: exactly the files, sizes and data id recorded in the ledger',
    service: 's3',
    action: 'putObject',
    iamAction: 's3:PutObject',
    iamResources: [props.sourceBucket.arnForObjects(`${s.frozenPrefix}*`)],
    parameters: { Bucket: '{% $bucketName %}', Key: '{% $load.frozenKey %}', Body: '{% $load.frozenBody %}', ContentType: 'application/json' },
    outputs: {},
  }).addRetry(S3_RETRY);
  put.addCatch(fail('FreezeFailed', 'Upsert.FreezeFailed', 'The frozen manifest could not be written'), { errors: ['States.ALL'] });
  put.next(next);
  return put;
}

/**
 * The load's identity, from the manifest entries and the HeadObject results (same order):
 * files sorted by URL; leaf = SHA-256 of "url|etag|size"; data id = SHA-256 of the leaves' chunk
 * hashes (100 leaves a chunk, so no single $hash input grows with the manifest).
 */
const FINGERPRINT = `{% (
  $files := $sort($map($manifestEntries, function($e, $i) { {'url': $e.url, 'etag': $states.result[$i].etag, 'size': $states.result[$i].size} }), function($a, $b) { $a.url > $b.url });
  $leaves := $map($files, function($f) { $hash($f.url & '|' & $f.etag & '|' & $string($f.size), 'SHA-256') });
  $chunks := $map([0..$floor(($count($leaves) - 1) / 100)], function($c) { $hash($join($filter($leaves, function($v, $i) { $floor($i / 100) = $c }), ''), 'SHA-256') });
  $dataId := $hash($join($chunks, ''), 'SHA-256');
  {
    'dataId': $dataId,
    'fileCount': $count($files),
    'dataBytes': $sum($files.size),
    'frozenKey': $frozenPrefix & $dataId & '.manifest.json',
    'frozenBody': $string({'entries': [$map($files, function($f) { {'url': $f.url, 'mandatory': true, 'meta': {'content_length': $f.size}} })]})
  }
) %}`.replace(/\s*\n\s*/g, ' '); // one line: asl-validator's JSONata pattern does not span lines

/** A JSONata regular expression literal from a JavaScript pattern source. */
function regex(pattern: string): string {
  return `/${pattern.replace(/\//g, '\\/')}/`;
}

function keyCondition(): string {
  const k = '$states.input.manifestKey';
  return `{% $type(${k}) = 'string' and $length(${k}) <= ${S3Limits.KEY_BYTES.max} and $contains(${k}, ${regex(LOAD_VALUE_RULES.manifestKey.pattern)}) `
    + `and $length(${k}) >= $length($manifestPrefix) + $length($manifestSuffix) `
    + `and $substring(${k}, 0, $length($manifestPrefix)) = $manifestPrefix `
    + `and $substring(${k}, $length(${k}) - $length($manifestSuffix)) = $manifestSuffix %}`;
}

function manifestCondition(rules: typeof LOAD_VALUE_RULES): string {
  const url = "'s3://' & $bucketName & '/' & $dataPrefix";
  const entryOk = `$type($e.url) = 'string' and $length($e.url) <= ${rules.manifestUri.maxLength} `
    + `and $substring($e.url, 0, $length(${url})) = ${url} and $contains($e.url, ${regex(rules.manifestUri.pattern)})`;
  return `{% $manifestChars <= ${UpsertLimits.MANIFEST_CHARS} and $contains($manifestEtag, ${regex(rules.manifestEtag.pattern)}) `
    + `and $length($manifestVersion) <= ${rules.manifestVersion.maxLength} and $contains($manifestVersion, ${regex(rules.manifestVersion.pattern)}) `
    + `and $type($manifestEntries) = 'array' and $count($manifestEntries) >= 1 and $count($manifestEntries) <= ${UpsertLimits.MANIFEST_FILES} `
    + `and $count($filter($manifestEntries, function($e) { $not(${entryOk}) })) = 0 %}`;
}
