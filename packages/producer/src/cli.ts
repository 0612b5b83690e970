import { createReadStream, writeFileSync } from 'fs';
import { createInterface } from 'readline';
import { SingleBar } from 'cli-progress';
import { Command, InvalidArgumentError } from 'commander';
import { generateRecord } from './lab-records';
import { createKinesisClient } from './client';
import { PartitionKeys } from './partition-keys';
import { KinesisProducer, ProducerSummary } from './producer';

/** Parsed command-line options. */
export interface CliOptions {
  readonly stream?: string;
  readonly streamArn?: string;
  readonly region?: string;
  readonly endpoint?: string;
  readonly file?: string;
  readonly count?: number;
  readonly rate: number;
  readonly duration?: number;
  readonly partitionKey: string;
  readonly devices: number;
  readonly recordSize: number;
  readonly aggregate: boolean;
  readonly aggregationMaxBytes: number;
  readonly maxBufferedTime: number;
  readonly recordTtl: number;
  readonly maxInFlight: number;
  readonly maxRecordBytes?: number;
  readonly preserveOrder: boolean;
  readonly progress: boolean;
  readonly json: boolean;
  readonly failedOut?: string;
}

/** What a run produced. */
export interface RunSummary extends Omit<ProducerSummary, 'failures'> {
  readonly seconds: number;
  readonly recordsPerSecond: number;
  readonly bytesPerSecond: number;
  readonly failures: Array<{ id?: string; errorCode?: string; errorMessage?: string }>;
}

function positiveInt(name: string, min = 1) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be a whole number >= ${min}`);
    return n;
  };
}

function nonNegative(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('must be a number >= 0');
  return n;
}

/** The `produce` command. */
export function buildCommand(): Command {
  return new Command('produce')
    .description('Send generated or JSON-lines records to a Kinesis data stream at a target rate, with batching, retries and optional KPL aggregation.')
    .option('-s, --stream <name>', 'stream name')
    .option('--stream-arn <arn>', 'stream ARN (instead of --stream)')
    .option('--region <region>', 'AWS region (default: standard chain: AWS_REGION, profile)')
    .option('--endpoint <url>', 'endpoint of a local Kinesis-compatible server, e.g. http://127.0.0.1:4567 (kinesalite)')
    .option('-f, --file <path>', 'read records from a JSON-lines file (one JSON value per line) instead of generating them')
    .option('-n, --count <records>', 'stop after this many records (default: 1000 generated records, or the whole file)', positiveInt('--count'))
    .option('-r, --rate <records/s>', 'target rate in records per second; 0 sends as fast as the stream accepts', nonNegative, 100)
    .option('-d, --duration <seconds>', 'stop after this many seconds', nonNegative)
    .option('-k, --partition-key <strategy>', 'random | field:<path> (e.g. field:deviceId) | round-robin:<shards> (explicit hash keys)', 'field:deviceId')
    .option('--devices <n>', 'distinct deviceId values of generated records', positiveInt('--devices'), 50)
    .option('--record-size <bytes>', 'approximate size of a generated record', positiveInt('--record-size', 64), 300)
    .option('--aggregate', 'KPL-compatible aggregation of user records into Kinesis records', false)
    .option('--aggregation-max-bytes <bytes>', 'largest aggregated record', positiveInt('--aggregation-max-bytes', 1024), 51200)
    .option('--max-buffered-time <ms>', 'longest time a record is buffered before a PutRecords call', positiveInt('--max-buffered-time', 0), 100)
    .option('--record-ttl <ms>', 'a record not delivered within this time is reported as failed', positiveInt('--record-ttl'), 30000)
    .option('--max-record-bytes <bytes>', 'largest record the stream accepts, if its maximum record size was raised (up to 10485760)', positiveInt('--max-record-bytes', 1048576))
    .option('--max-in-flight <n>', 'concurrent PutRecords calls', positiveInt('--max-in-flight'), 4)
    .option('--no-preserve-order', 'allow records of one partition key to be reordered by retries (more throughput with few keys)')
    .option('--no-progress', 'no progress bar')
    .option('--json', 'print the summary as JSON', false)
    .option('--failed-out <path>', 'write records that finally failed to this JSON-lines file')
    .showHelpAfterError();
}

function strategy(spec: string): PartitionKeys {
  if (spec === 'random') return PartitionKeys.random();
  const [kind, arg] = [spec.slice(0, spec.indexOf(':')), spec.slice(spec.indexOf(':') + 1)];
  if (kind === 'field' && arg) return PartitionKeys.field(arg);
  if (kind === 'round-robin' && /^\d+$/.test(arg) && Number(arg) > 0) return PartitionKeys.roundRobin(Number(arg));
  throw new InvalidArgumentError(`--partition-key: expected random, field:<path> or round-robin:<shards>, got ${spec}`);
}

async function* fileRecords(path: string): AsyncGenerator<unknown> {
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) {
    n++;
    if (line.trim() === '') continue;
    try {
      yield JSON.parse(line);
    } catch (e) {
      throw new Error(`${path}:${n}: not JSON (${(e as Error).message})`);
    }
  }
}

async function* generatedRecords(devices: number, size: number): AsyncGenerator<unknown> {
  for (let i = 0; ; i++) yield generateRecord(i, devices, size);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function human(n: number, unit: string): string {
  const units = ['', 'K', 'M', 'G'];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000;
    i++;
  }
  return `${n.toFixed(n < 10 && i > 0 ? 1 : 0)} ${units[i]}${unit}`;
}

/** Runs the CLI with parsed options; returns the summary. */
export async function produce(options: CliOptions, out: NodeJS.WritableStream = process.stdout): Promise<RunSummary> {
  if (!options.stream && !options.streamArn) throw new InvalidArgumentError('give --stream or --stream-arn');
  const partitionKeys = strategy(options.partitionKey);
  const client = createKinesisClient({ region: options.region, endpoint: options.endpoint });
  const producer = new KinesisProducer({
    client,
    streamName: options.stream,
    streamArn: options.streamArn,
    partitionKeys,
    aggregate: options.aggregate,
    aggregationMaxBytes: options.aggregationMaxBytes,
    maxBufferedTimeMs: options.maxBufferedTime,
    recordTtlMs: options.recordTtl,
    maxInFlight: options.maxInFlight,
    maxRecordBytes: options.maxRecordBytes,
    preserveOrder: options.preserveOrder,
  });
  const limit = options.count ?? (options.file || options.duration !== undefined ? Infinity : 1000);
  const total = Number.isFinite(limit) ? limit : options.duration !== undefined && options.rate > 0 ? Math.floor(options.rate * options.duration) : 0;
  const bar = options.progress
    ? new SingleBar({
      format: '{bar} {value}/{total} delivered | {rps} rec/s | {bps} | throttles {throttles} | retries {retries} | failed {failed}',
      stream: process.stderr,
      hideCursor: true,
      etaBuffer: 50,
    })
    : undefined;
  const start = Date.now();
  const payload = (extra: Partial<Record<string, string | number>> = {}) => {
    const s = producer.stats;
    const seconds = Math.max(0.001, (Date.now() - start) / 1000);
    return {
      rps: Math.round(s.delivered / seconds),
      bps: `${human(s.bytesDelivered / seconds, 'B/s')}`,
      throttles: s.throttles,
      retries: s.retries,
      failed: s.failed,
      ...extra,
    };
  };
  bar?.start(total, 0, payload());
  const ticker = bar ? setInterval(() => bar.update(producer.stats.delivered, payload()), 250) : undefined;

  const source = options.file ? fileRecords(options.file) : generatedRecords(options.devices, options.recordSize);
  const deadline = options.duration !== undefined ? start + options.duration * 1000 : Infinity;
  let sent = 0;
  let result: RunSummary;
  try {
    for await (const record of source) {
      if (sent >= limit || Date.now() >= deadline) break;
      if (options.rate > 0) {
        const due = start + (sent / options.rate) * 1000;
        if (due >= deadline) break;
        const wait = due - Date.now();
        if (wait > 2) await sleep(wait);
        if (Date.now() >= deadline) break;
      }
      await producer.waitForCapacity();
      void producer.put(record);
      sent++;
    }
  } finally {
    const summary = await producer.close();
    if (ticker) clearInterval(ticker);
    bar?.update(summary.delivered, payload());
    bar?.stop();
    client.destroy();
    result = summarize(summary, start);
    if (options.failedOut && summary.failures.length > 0) {
      writeFileSync(options.failedOut, summary.failures.map((f) => JSON.stringify({ id: f.id, errorCode: f.errorCode, errorMessage: f.errorMessage, record: f.record })).join('\n') + '\n');
    }
  }
  out.write(options.json ? `${JSON.stringify(result!)}\n` : render(result!, options));
  return result!;
}

function summarize(summary: ProducerSummary, start: number): RunSummary {
  const seconds = (Date.now() - start) / 1000;
  return {
    ...summary,
    seconds,
    recordsPerSecond: summary.delivered / Math.max(seconds, 0.001),
    bytesPerSecond: summary.bytesDelivered / Math.max(seconds, 0.001),
    failures: summary.failures.map((f) => ({ id: f.id, errorCode: f.errorCode, errorMessage: f.errorMessage })),
  };
}

function render(r: RunSummary, options: CliOptions): string {
  const lines = [
    `stream            ${options.stream ?? options.streamArn}${options.endpoint ? ` at ${options.endpoint}` : ''}`,
    `records put       ${r.put}`,
    `delivered         ${r.delivered}`,
    `failed            ${r.failed}${options.failedOut && r.failed > 0 ? ` (written to ${options.failedOut})` : ''}`,
    `duration          ${r.seconds.toFixed(2)} s`,
    `throughput        ${r.recordsPerSecond.toFixed(0)} records/s, ${human(r.bytesPerSecond, 'B/s')}`,
    `PutRecords calls  ${r.putRecordsCalls} (minimum ${Math.ceil(r.kinesisRecords / 500)} for ${r.kinesisRecords} Kinesis records)`,
    `retries           ${r.retries} entries, throttled ${r.throttles}`,
  ];
  for (const f of r.failures.slice(0, 5)) lines.push(`  failed ${f.id ?? '(no id)'}: ${f.errorCode}: ${f.errorMessage}`);
  return `${lines.join('\n')}\n`;
}

/** Entry point of `bin/produce.js`. */
export async function main(argv: string[] = process.argv): Promise<void> {
  const command = buildCommand();
  command.parse(argv);
  const opts = command.opts() as CliOptions;
  try {
    const summary = await produce(opts);
    process.exitCode = summary.failed > 0 ? 2 : 0;
  } catch (e) {
    process.stderr.write(`produce: ${(e as Error).message}\n`);
    process.exitCode = 1;
  }
}
