import { execFile } from 'child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { deaggregate } from '../src';
import { createStream, LocalKinesis, readAll, startKinesalite } from './local-kinesis';

const BIN = path.join(__dirname, '..', 'bin', 'produce.js');

let local: LocalKinesis;
beforeAll(async () => {
  local = await startKinesalite();
});
afterAll(async () => {
  await local.stop();
});

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], {
      // fake credentials for the local server; never a real account
      env: { ...process.env, AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', AWS_REGION: 'us-east-1', AWS_PROFILE: '' },
      timeout: 25_000,
    }, (error, stdout, stderr) => resolve({ code: error ? (error as any).code ?? 1 : 0, stdout, stderr }));
  });
}

async function userRecords(stream: string) {
  const raw = await readAll(local.client, stream);
  return {
    raw,
    records: raw.flatMap((r) => deaggregate(r.data, r.partitionKey).map((u) => ({
      shardId: r.shardId, partitionKey: u.partitionKey, body: JSON.parse(Buffer.from(u.data).toString('utf8')),
    }))),
  };
}

describe('produce CLI (child process) against kinesalite', () => {
  test('generated records at full speed with aggregation: all delivered once, in order per deviceId, JSON summary', async () => {
    await createStream(local.client, 'cli-generated', 3);
    const result = await run(['--stream', 'cli-generated', '--endpoint', local.endpoint, '--count', '2500', '--rate', '0',
      '--devices', '30', '--aggregate', '--no-progress', '--json']);
    expect(result.stderr).not.toMatch(/Error/);
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary).toMatchObject({ put: 2500, delivered: 2500, failed: 0, failures: [] });
    const { raw, records } = await userRecords('cli-generated');
    expect(raw.length).toBe(summary.kinesisRecords);
    expect(records).toHaveLength(2500);
    expect(new Set(records.map((r) => r.body.recordId)).size).toBe(2500);
    const last = new Map<string, number>();
    for (const r of records) {
      expect(r.partitionKey).toBe(r.body.deviceId);
      expect(r.body.seq).toBe((last.get(r.body.deviceId) ?? 0) + 1);
      last.set(r.body.deviceId, r.body.seq);
    }
    expect(last.size).toBe(30);
  });

  test('JSON-lines file at a target rate for a duration, random keys, human summary', async () => {
    await createStream(local.client, 'cli-file', 2);
    const dir = mkdtempSync(path.join(tmpdir(), 'produce-'));
    const file = path.join(dir, 'records.jsonl');
    writeFileSync(file, Array.from({ length: 1000 }, (_, i) => JSON.stringify({ n: i, recordId: `id-${i}` })).join('\n') + '\n');
    const started = Date.now();
    const result = await run(['-s', 'cli-file', '--endpoint', local.endpoint, '-f', file, '--rate', '400', '--duration', '1.5',
      '-k', 'random', '--no-progress']);
    const elapsed = Date.now() - started;
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/records put\s+\d+/);
    const put = Number(/records put\s+(\d+)/.exec(result.stdout)![1]);
    // 400 records/s for 1.5 s: about 600 of the 1,000 lines
    expect(put).toBeGreaterThan(450);
    expect(put).toBeLessThanOrEqual(600);
    expect(elapsed).toBeGreaterThan(1400);
    expect(result.stdout).toMatch(new RegExp(`delivered\\s+${put}`));
    const { records } = await userRecords('cli-file');
    // the file's own ids are kept, in file order, with nothing lost or repeated
    expect(records.map((r) => r.body.recordId).sort()).toEqual(Array.from({ length: put }, (_, i) => `id-${i}`).sort());
  });

  test('a missing stream fails every record, reports them, writes them out and exits 2', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'produce-'));
    const out = path.join(dir, 'failed.jsonl');
    const result = await run(['-s', 'no-such-stream', '--endpoint', local.endpoint, '-n', '20', '-r', '0', '--no-progress', '--failed-out', out]);
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/failed\s+20/);
    expect(result.stdout).toContain('ResourceNotFoundException');
    const failed = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(failed).toHaveLength(20);
    expect(failed[0]).toMatchObject({ errorCode: 'ResourceNotFoundException', record: { deviceId: 'device-0000', seq: 1 } });
  });

  test('bad arguments are refused with a message', async () => {
    const result = await run(['-s', 'x', '-k', 'sideways']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('--partition-key');
  });
});
