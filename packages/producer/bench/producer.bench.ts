/**
 * Producer benchmark against a local kinesalite (in memory, in this process).
 *
 *   node --import tsx packages/producer/bench/producer.bench.ts [records=5000] [soakSeconds=300]
 *   BENCH_SOAK_SECONDS=30 npm run bench        (a quick check: the memory run is then too short to judge)
 *
 * 1. Throughput: records/s and PutRecords calls of the `produce` CLI with its default settings
 *    (only --rate 0 and --count given), of the library in strict-order, unordered and aggregated
 *    modes, vs a naive loop of one PutRecord per record and vs the minimum ceil(N/500).
 * 2. `put()` cost with 1k, 10k and 100k records already queued (a server that never answers).
 * 3. RSS and heap while the CLI's default settings feed a server that accepts ~100 records/s, as
 *    fast as backpressure allows, for 5 minutes by default (`producer-soak.ts`, in a fresh
 *    process), with a trend verdict (flat or growing after warm-up) and records delivered per
 *    second. The length comes from the second argument, else BENCH_SOAK_SECONDS, else 300.
 *
 * kinesalite is far slower than Kinesis: the ratios matter, not the absolute figures.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';
import { Writable } from 'stream';
import { PutRecordCommand, PutRecordsCommand, PutRecordsCommandOutput } from '@aws-sdk/client-kinesis';
import { KinesisProducer, PartitionKeys } from '../src';
import { buildCommand, CliOptions, produce } from '../src/cli';
import { createStream, LocalKinesis, readAll, startKinesalite } from '../test/local-kinesis';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

interface Row {
  readonly name: string;
  readonly seconds: number;
  readonly calls: number;
  readonly kinesisRecords: number;
}

const devNull = new Writable({ write: (_chunk, _enc, done) => done() });

async function naive(local: LocalKinesis, records: Array<Record<string, unknown>>): Promise<Row> {
  await createStream(local.client, 'bench-naive', 4);
  const start = process.hrtime.bigint();
  for (const r of records) {
    await local.client.send(new PutRecordCommand({ StreamName: 'bench-naive', PartitionKey: String(r.deviceId), Data: Buffer.from(JSON.stringify(r)) }));
  }
  return { name: 'naive PutRecord loop', seconds: Number(process.hrtime.bigint() - start) / 1e9, calls: records.length, kinesisRecords: records.length };
}

/** The CLI itself, in this process, with its defaults (field:deviceId over 50 devices, one call in flight per key, 4 calls in flight). */
async function cliDefaults(local: LocalKinesis, n: number): Promise<Row> {
  await createStream(local.client, 'bench-cli', 4);
  const command = buildCommand();
  command.parse(['node', 'produce', '-s', 'bench-cli', '--endpoint', local.endpoint, '--rate', '0', '--count', String(n), '--no-progress', '--json']);
  const start = process.hrtime.bigint();
  const summary = await produce(command.opts() as CliOptions, devNull);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (summary.delivered !== n) throw new Error(`CLI defaults: delivered ${summary.delivered} of ${n}`);
  return { name: 'CLI defaults (order per key*)', seconds, calls: summary.putRecordsCalls, kinesisRecords: summary.kinesisRecords };
}

type ProducerOptions = Partial<ConstructorParameters<typeof KinesisProducer>[0]>;

async function library(local: LocalKinesis, name: string, records: Array<Record<string, unknown>>, options: ProducerOptions): Promise<Row> {
  const stream = `bench-${name.replace(/\W+/g, '-')}`;
  await createStream(local.client, stream, 4);
  const producer = new KinesisProducer({ client: local.client, streamName: stream, partitionKeys: PartitionKeys.field('deviceId'), ...options });
  const start = process.hrtime.bigint();
  for (const r of records) {
    await producer.waitForCapacity();
    void producer.put(r);
  }
  const summary = await producer.close();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (summary.delivered !== records.length) throw new Error(`${name}: delivered ${summary.delivered} of ${records.length}`);
  const read = await readAll(local.client, stream);
  if (read.length !== summary.kinesisRecords) throw new Error(`${name}: read ${read.length} Kinesis records, expected ${summary.kinesisRecords}`);
  return { name, seconds, calls: summary.putRecordsCalls, kinesisRecords: summary.kinesisRecords };
}

async function throughput(n: number): Promise<void> {
  const local = await startKinesalite();
  try {
    const records = Array.from({ length: n }, (_, i) => ({ deviceId: `device-${String(i % 50).padStart(4, '0')}`, seq: i, payload: 'x'.repeat(200) }));
    const base = await naive(local, records);
    const rows = [
      base,
      await cliDefaults(local, n),
      await library(local, 'library, defaults (order per key*)', records, {}),
      await library(local, 'library, strictOrder (strict order, 1 rec/key/call)', records, { strictOrder: true }),
      await library(local, 'library, unordered', records, { preserveOrder: false }),
      await library(local, 'library, aggregated (order per key*)', records, { aggregate: true }),
      await library(local, 'library, aggregated + strictOrder (strict order)', records, { aggregate: true, strictOrder: true }),
    ];
    const minimum = Math.ceil(n / 500);
    console.log(`\n1. throughput: ${n} records of ~300 bytes, 50 partition keys, 4 shards, local kinesalite; minimum calls ceil(${n}/500) = ${minimum}`);
    console.log('variant                                             records/s   vs naive   PutRecords calls   vs minimum   Kinesis records');
    for (const r of rows) {
      const rps = n / r.seconds;
      console.log(`${r.name.padEnd(50)} ${rps.toFixed(0).padStart(10)} ${`${(rps / (n / base.seconds)).toFixed(1)}x`.padStart(10)} ${String(r.calls).padStart(18)} `
        + `${r === base ? '' : `${(r.calls / minimum).toFixed(2)}x`}`.padStart(12) + String(r.kinesisRecords).padStart(18));
    }
    console.log('* order per key holds when Kinesis refuses a key\'s entries as a suffix of a call (as a throttled shard does); an entry refused'
      + ' between written entries of its key is written after them (counted in the summary as `reordered`). "strict order": whatever fails.');
  } finally {
    await local.stop();
  }
}

/** A client whose calls never answer (until aborted): everything stays queued. */
const silent = {
  send: (_c: PutRecordsCommand, o?: { abortSignal?: AbortSignal }) =>
    new Promise<PutRecordsCommandOutput>((_, reject) => o?.abortSignal?.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' })))),
};

function putCost(): void {
  console.log('\n2. put() cost with records already queued (server never answers; defaults: one call in flight per key, 50 keys)');
  console.log('queued      µs per put (median of 5 x 2,000 puts)   event loop blocked by 2,000 puts');
  for (const queued of [1_000, 10_000, 100_000]) {
    const producer = new KinesisProducer({ client: silent, streamName: 's', partitionKeys: PartitionKeys.field('deviceId'), maxBufferedRecords: 200_000, recordTtlMs: 3_600_000 });
    const record = (i: number) => ({ deviceId: `device-${i % 50}`, seq: i, payload: 'x'.repeat(200) });
    for (let i = 0; i < queued; i++) void producer.put(record(i));
    const rounds: number[] = [];
    for (let round = 0; round < 5; round++) {
      const start = process.hrtime.bigint();
      for (let i = 0; i < 2000; i++) void producer.put(record(queued + round * 2000 + i));
      rounds.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    const ms = rounds.sort((a, b) => a - b)[2];
    console.log(`${String(queued).padStart(7)} ${(ms * 1000 / 2000).toFixed(1).padStart(30)} ${`${ms.toFixed(1)} ms`.padStart(36)}`);
    producer.abort('benchmark over');
  }
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 5000);
  const soakSeconds = Number(process.argv[3] ?? process.env.BENCH_SOAK_SECONDS ?? 300);
  if (!Number.isFinite(soakSeconds) || soakSeconds <= 0) throw new Error(`soak seconds must be a positive number, got '${process.argv[3] ?? process.env.BENCH_SOAK_SECONDS}'`);
  await throughput(n);
  putCost();
  // in a fresh process, so that kinesalite and the runs above do not weigh on the RSS
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(__dirname, 'producer-soak.ts'), String(soakSeconds), String(Math.max(2, Math.round(soakSeconds / 20)))], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`producer-soak.ts exited with ${r.status}`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
