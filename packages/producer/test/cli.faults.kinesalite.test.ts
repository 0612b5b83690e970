/**
 * Issue 11, CLI side: `produce` as a child process against kinesalite behind a
 * fault-injecting proxy: it always finishes, fails at once on configuration errors, and on
 * SIGINT/SIGTERM flushes, writes what it could not send to --failed-out, prints the summary
 * and exits non-zero (a second signal: at once).
 */
import { ChildProcess, spawn } from 'child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { deaggregate } from '../src';
import { FaultProxy } from './fault-proxy';
import { createStream, LocalKinesis, readAll, startKinesalite } from './local-kinesis';

const BIN = path.join(__dirname, '..', 'bin', 'produce.js');

let local: LocalKinesis;
let proxy: FaultProxy;
let streams = 0;
let dir: string;

beforeAll(async () => {
  local = await startKinesalite();
  proxy = await FaultProxy.start(local.endpoint);
  dir = mkdtempSync(path.join(tmpdir(), 'produce-faults-'));
});
afterEach(async () => {
  await proxy.set({ mode: 'pass' });
});
afterAll(async () => {
  await proxy.stop();
  await local.stop();
});

async function newStream(shards = 2): Promise<string> {
  const name = `cli-faults-${++streams}`;
  await createStream(local.client, name, shards);
  return name;
}

interface Run {
  readonly child: ChildProcess;
  readonly done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

/** Starts the CLI; a run still going after `timeoutMs` is killed (and so reported with signal SIGKILL). */
function start(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 20_000): Run {
  const child = spawn(process.execPath, [BIN, ...args], {
    // fake credentials for the local server; never a real account
    env: { ...process.env, AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', AWS_REGION: 'us-east-1', AWS_PROFILE: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { child, done };
}

async function until(condition: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const lines = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []);

async function streamIds(stream: string): Promise<string[]> {
  const raw = await readAll(local.client, stream);
  return raw.flatMap((r) => deaggregate(r.data, r.partitionKey)).map((u) => JSON.parse(Buffer.from(u.data).toString('utf8')).recordId);
}

describe('case 1: a server that never answers', () => {
  test('the CLI finishes within the record TTL, reports every record with the timeout and exits 2', async () => {
    const stream = await newStream();
    await proxy.set({ mode: 'hang' });
    const out = path.join(dir, 'hang.jsonl');
    const { done } = start(['-s', stream, '--endpoint', proxy.endpoint, '-n', '30', '-r', '0', '--record-ttl', '1500', '--no-progress', '--json', '--failed-out', out]);
    const result = await done;
    expect(result.signal).toBeNull();
    expect(result.code).toBe(2);
    const summary = JSON.parse(result.stdout);
    expect(summary).toMatchObject({ put: 30, delivered: 0, failed: 30, failuresByCode: { RecordTtlExceeded: 30 } });
    expect(summary.failures[0].errorMessage).toContain('TimeoutError');
    expect(lines(out)).toHaveLength(30);
  });
});

describe('case 4: configuration errors fail at once with exit code 1', () => {
  const noConfig = { AWS_CONFIG_FILE: '/nonexistent/config', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials', AWS_EC2_METADATA_DISABLED: 'true' };

  test('no region', async () => {
    const { done } = start(['-s', 'x', '-n', '5', '--no-progress'], { ...noConfig, AWS_REGION: '', AWS_DEFAULT_REGION: '' }, 15_000);
    const result = await done;
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/produce: no AWS region: give --region or set AWS_REGION/);
    expect(result.stdout).toBe('');
  });

  test('no credentials', async () => {
    const { done } = start(['-s', 'x', '--region', 'eu-west-1', '-n', '5', '--no-progress'], { ...noConfig, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' }, 15_000);
    const result = await done;
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/produce: no AWS credentials/);
  });

  test('an invalid --endpoint URL', async () => {
    for (const endpoint of ['not a url', 'htp:/x']) {
      const result = await start(['-s', 'x', '--endpoint', endpoint, '-n', '5', '--no-progress'], {}, 15_000).done;
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/produce: endpoint '.*' (is not a URL|must be an http)/);
    }
  });
});

describe('case 5: SIGINT and SIGTERM', () => {
  test('SIGINT with thousands of records buffered: stops reading, flushes for the grace period, writes the rest to --failed-out, prints the summary, exits 130', async () => {
    const stream = await newStream();
    // the server accepts about 1,000 records/s: most of 5,000 are still buffered when the signal comes
    await proxy.set({ mode: 'slow', recordsPerSecond: 1000 });
    const seen = proxy.recordsSeen;
    const out = path.join(dir, 'sigint.jsonl');
    const run = start(['-s', stream, '--endpoint', proxy.endpoint, '-n', '5000', '-r', '0', '--shutdown-grace', '300', '--no-progress', '--json', '--failed-out', out]);
    await until(() => proxy.recordsSeen >= seen + 1000, 'the first PutRecords calls');
    run.child.kill('SIGINT');
    const result = await run.done;
    expect(result.signal).toBeNull();
    expect(result.code).toBe(130);
    expect(result.stderr).toContain('SIGINT: stopped reading');
    const summary = JSON.parse(result.stdout);
    expect(summary.interrupted).toBe('SIGINT');
    expect(summary.put).toBeLessThanOrEqual(5000);
    expect(summary.delivered + summary.failed).toBe(summary.put);
    expect(summary.failed).toBeGreaterThan(0);
    const failed = lines(out);
    expect(failed).toHaveLength(summary.failed);
    expect(failed.every((f) => f.errorCode === 'Interrupted' && f.record.deviceId)).toBe(true);
    // every record put is in the stream or in --failed-out (an aborted call's records may be in both)
    const written = new Set(await streamIds(stream));
    expect(written.size).toBeGreaterThanOrEqual(summary.delivered);
    expect(new Set([...written, ...failed.map((f) => f.id)]).size).toBe(summary.put);
  });

  test('a second signal stops at once (the server hangs, the grace period is a minute): unsent records written, exit 130', async () => {
    const stream = await newStream();
    await proxy.set({ mode: 'hang' });
    const before = proxy.requests;
    const out = path.join(dir, 'second.jsonl');
    const run = start(['-s', stream, '--endpoint', proxy.endpoint, '-n', '200', '-r', '0', '--shutdown-grace', '60000', '--no-progress', '--json', '--failed-out', out]);
    await until(() => proxy.requests > before, 'the first PutRecords call');
    run.child.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 500));
    expect(run.child.exitCode).toBeNull(); // still flushing after the first signal
    run.child.kill('SIGINT');
    const result = await run.done;
    expect(result.code).toBe(130);
    expect(result.stderr).toContain('second SIGINT: stopping now');
    const summary = JSON.parse(result.stdout);
    expect(summary).toMatchObject({ interrupted: 'SIGINT', put: 200, delivered: 0, failed: 200, failuresByCode: { Interrupted: 200 } });
    expect(lines(out)).toHaveLength(200);
  });

  test('SIGTERM: same, exit 143', async () => {
    const stream = await newStream();
    await proxy.set({ mode: 'slow', recordsPerSecond: 200 });
    const seen = proxy.recordsSeen;
    const out = path.join(dir, 'sigterm.jsonl');
    const run = start(['-s', stream, '--endpoint', proxy.endpoint, '-n', '1000', '-r', '0', '--shutdown-grace', '200', '--no-progress', '--failed-out', out]);
    await until(() => proxy.recordsSeen > seen, 'the first PutRecords call');
    run.child.kill('SIGTERM');
    const result = await run.done;
    expect(result.code).toBe(143);
    expect(result.stdout).toMatch(/interrupted\s+by SIGTERM/);
    const failed = Number(/failed\s+(\d+)/.exec(result.stdout)![1]);
    expect(lines(out)).toHaveLength(failed);
  });
});

describe('case 7: arguments and keys', () => {
  test('--rate "" and rates too small to schedule are refused with a message', async () => {
    for (const rate of ['', '0.0000001', 'abc']) {
      const result = await start(['-s', 'x', '--endpoint', local.endpoint, '-n', '3', '--rate', rate, '--no-progress'], {}, 15_000).done;
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/--rate must be 0 \(as fast as the stream accepts\) or from 0\.001 to 1000000 records\/s/);
    }
  });

  test('-k with an empty or malformed field path (field:, field:a..b, field:.x) is refused at once with exit 1, before any request', async () => {
    await proxy.set({ mode: 'hang' }); // a request would hang: the run would be killed, not exit 1
    const before = proxy.requests;
    for (const spec of ['field:', 'field:a..b', 'field:.x']) {
      const started = Date.now();
      const result = await start(['-s', 'x', '--endpoint', proxy.endpoint, '-n', '3', '-k', spec, '--no-progress'], {}, 15_000).done;
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('produce: --partition-key: expected random, field:<path> (a non-empty dot path with no empty part, e.g. field:deviceId'
        + ` or field:device.id) or round-robin:<shards> (a whole number from 1), got '${spec}'`);
      expect(result.stdout).toBe('');
      expect(Date.now() - started).toBeLessThan(10_000);
    }
    expect(proxy.requests).toBe(before);
  });

  test('-k field:<path>: a record without the field or with a too-long value fails (reported, in --failed-out) unless told otherwise', async () => {
    const stream = await newStream();
    const file = path.join(dir, 'keys.jsonl');
    writeFileSync(file, [{ deviceId: 'a', n: 1 }, { n: 2 }, { deviceId: 'x'.repeat(300), n: 3 }, { deviceId: '', n: 4 }].map((r) => JSON.stringify(r)).join('\n'));
    const out = path.join(dir, 'keys-failed.jsonl');
    const strict = await start(['-s', stream, '--endpoint', local.endpoint, '-f', file, '-r', '0', '-k', 'field:deviceId', '--no-progress', '--failed-out', out]).done;
    expect(strict.code).toBe(2);
    expect(strict.stdout).toMatch(/failed\s+3 \(2 MissingPartitionKey, 1 PartitionKeyTooLong\)/);
    expect(lines(out).map((f) => [f.record.n, f.errorCode])).toEqual([[2, 'MissingPartitionKey'], [3, 'PartitionKeyTooLong'], [4, 'MissingPartitionKey']]);
    const lenient = await start(['-s', stream, '--endpoint', local.endpoint, '-f', file, '-r', '0', '-k', 'field:deviceId', '--missing-key', 'random', '--long-key', 'hash', '--no-progress', '--json']).done;
    expect(lenient.code).toBe(0);
    expect(JSON.parse(lenient.stdout)).toMatchObject({ put: 4, delivered: 4, failed: 0 });
  });
});
