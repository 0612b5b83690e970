import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AccessModel } from '@analytics-patterns/testing';
import { build } from './fixtures';
import { JOB_PROPERTY_GROUP, JOB_SETTINGS, RUN_OPTIONS_GROUP } from '../src';
import { DeviceSimulator, SIMULATOR_DEFAULTS, toJsonLine } from '../src/lab/device-telemetry';

/**
 * The Flink job is Python (PyFlink), which this machine cannot run (no PyFlink, no Flink
 * connector): what can be checked offline is checked here, across the TypeScript stack and the
 * Python job. python3 is on every machine of the project; PyFlink is not needed.
 */
const FLINK_DIR = path.join(__dirname, '..', 'flink');
const REPO = path.join(__dirname, '..', '..', '..');

function python(script: string, input?: string): string {
  return execFileSync('python3', ['-c', script], { cwd: FLINK_DIR, input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
}

/** dt-sql-parser's Flink SQL grammar (ANTLR), bundled for jest: the package is ESM with directory imports. */
function flinkSqlParser(): { validate(sql: string): Array<{ message: string }> } {
  const out = path.join(os.tmpdir(), `dt-sql-parser-flink-${process.pid}.cjs`);
  if (!fs.existsSync(out)) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('esbuild').buildSync({
      stdin: { contents: "export { FlinkSQL } from 'dt-sql-parser/dist/parser/flink';", resolveDir: REPO },
      bundle: true,
      platform: 'node',
      format: 'cjs',
      outfile: out,
      logLevel: 'error',
    });
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return new (require(out).FlinkSQL)();
}

describe('the PyFlink job', () => {
  const { stack, template } = build();
  const application = template.toJSON().Resources[stack.getLogicalId(stack.analytics.application)].Properties;
  const groups = (new AccessModel(template.toJSON(), stack)).resolve(application.ApplicationConfiguration.EnvironmentProperties.PropertyGroups);
  const propertiesFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rt-flink-')), 'application_properties.json');
  fs.writeFileSync(propertiesFile, JSON.stringify(groups));

  test('its own Python tests pass (settings, baseline, SQL text, connector check)', () => {
    const out = execFileSync('python3', ['-m', 'unittest', 'discover', '-s', 'tests'], { cwd: FLINK_DIR, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(out).toBe('');
  });

  test('reads the properties the stack gives it (the service\'s file format), with the streams\' real ARNs', () => {
    const settings = JSON.parse(python(`import json, main; print(json.dumps(main.job_settings(main.load_properties(${JSON.stringify(propertiesFile)}))))`));
    expect(settings).toEqual({
      input_stream_arn: `arn:aws:kinesis:eu-west-1:123456789012:stream/${AccessModel.of(stack).resolve(stack.telemetry.streamName)}`,
      output_stream_arn: `arn:aws:kinesis:eu-west-1:123456789012:stream/${AccessModel.of(stack).resolve(stack.results.stream.streamName)}`,
      region: 'eu-west-1',
      init_position: JOB_SETTINGS['source.init.position'],
      window_seconds: Number(JOB_SETTINGS['window.seconds']),
      history: Number(JOB_SETTINGS['history.readings']),
      min_history: Number(JOB_SETTINGS['min.history.readings']),
      threshold: Number(JOB_SETTINGS['zscore.threshold']),
      watermark_delay_seconds: 5,
      idle_timeout_seconds: 30,
    });
    const runOptions = groups.find((g: any) => g.PropertyGroupId === RUN_OPTIONS_GROUP).PropertyMap;
    const job = groups.find((g: any) => g.PropertyGroupId === JOB_PROPERTY_GROUP).PropertyMap;
    // the JAR the job checks for is the one Flink loads, and it is in the zip
    expect(job['connector.jar']).toBe(runOptions.jarfile);
    expect(fs.existsSync(path.join(stack.flinkJob.stagedDirectory, runOptions.jarfile))).toBe(true);
    expect(fs.existsSync(path.join(stack.flinkJob.stagedDirectory, runOptions.python))).toBe(true);
    const check = `main.connector_jar_problem(main.load_properties(${JSON.stringify(propertiesFile)}), ${JSON.stringify(stack.flinkJob.stagedDirectory)})`;
    expect(python(`import main; print(${check})`).trim()).toBe('None');
  });

  test('every statement it runs is valid Flink SQL (ANTLR grammar of Flink SQL); a broken one would not be', () => {
    const statements: string[] = JSON.parse(python(`import json, main; print(json.dumps(main.statements(main.job_settings(main.load_properties(${JSON.stringify(propertiesFile)})))))`));
    expect(statements.map((s) => s.split(/\s+/).slice(0, 3).join(' '))).toEqual([
      'CREATE TABLE telemetry', 'CREATE TABLE device_results', 'CREATE TEMPORARY VIEW', 'CREATE TEMPORARY VIEW', 'INSERT INTO device_results', 'INSERT INTO device_results',
    ]);
    const parser = flinkSqlParser();
    expect(statements.map((s) => parser.validate(s).map((e) => e.message))).toEqual(statements.map(() => []));
    expect(parser.validate(statements[4].replace('DESCRIPTOR(event_time),', 'DESCRIPTOR(event_time)')).length).toBeGreaterThan(0);
    expect(parser.validate(statements[3].replace(' AND CURRENT ROW', ' CURRENT ROW')).length).toBeGreaterThan(0);
  });

  test('the simulator\'s records and the IoT rule\'s SELECT carry exactly the source table\'s physical columns', () => {
    const statements: string[] = JSON.parse(python(`import json, main; print(json.dumps(main.statements(main.job_settings(main.load_properties(${JSON.stringify(propertiesFile)})))))`));
    const columns = [...statements[0].matchAll(/^ {2}(\w+) (STRING|BIGINT|DOUBLE),$/gm)].map((m) => [m[1], m[2]]);
    expect(columns).toEqual([['deviceId', 'STRING'], ['ts', 'BIGINT'], ['temperature', 'DOUBLE']]);
    const record = JSON.parse(toJsonLine(new DeviceSimulator(SIMULATOR_DEFAULTS).tick(1_764_400_000_000)[0]));
    expect(Object.entries(record).map(([k, v]) => [k, typeof v])).toEqual([['deviceId', 'string'], ['ts', 'number'], ['temperature', 'number']]);
    expect(Number.isInteger(record.ts)).toBe(true);
    const sql = template.toJSON().Resources[stack.getLogicalId(stack.deviceRule.rule)].Properties.TopicRulePayload.Sql as string;
    expect(/^SELECT (.*) FROM /.exec(sql)![1].split(', ').map((c) => c.split(' AS ').pop())).toEqual(columns.map(([c]) => c));
  });

  test('on the lab simulator\'s readings, the detection rule flags the injected spikes and little else', () => {
    // one OVER window per device, as Flink computes it (the last history + 1 readings), scored by main.baseline
    const simulator = new DeviceSimulator(SIMULATOR_DEFAULTS);
    const readings = Array.from({ length: 900 }, (_, i) => simulator.tick(1_764_400_000_000 + i * 1000)).flat();
    const verdicts: Array<{ deviceId: string; ts: number; spike: boolean; flagged: boolean; scored: boolean }> = JSON.parse(python(`
import json, sys, collections, main
settings = main.job_settings(main.load_properties(${JSON.stringify(propertiesFile)}))
windows = collections.defaultdict(collections.deque)
out = []
for r in json.load(sys.stdin):
    w = windows[r["deviceId"]]
    w.append(r["temperature"])
    if len(w) > settings["history"] + 1:
        w.popleft()
    b = main.baseline(r["temperature"], len(w), sum(w), sum(v * v for v in w), settings["min_history"])
    out.append({"deviceId": r["deviceId"], "ts": r["ts"], "spike": r["spike"], "scored": b is not None, "flagged": b is not None and abs(b[2]) >= settings["threshold"]})
print(json.dumps(out))
`, JSON.stringify(readings)));
    const scoredSpikes = verdicts.filter((v) => v.spike && v.scored);
    const falseAlarms = verdicts.filter((v) => v.flagged && !v.spike);
    expect(scoredSpikes.length).toBeGreaterThanOrEqual(40);
    expect(scoredSpikes.filter((v) => !v.flagged)).toEqual([]);
    expect(falseAlarms.length / verdicts.length).toBeLessThan(0.002);
  });
});
