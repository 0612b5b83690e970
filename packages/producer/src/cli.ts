import { closeSync, createReadStream, openSync, writeSync } from 'fs';
import { createInterface } from 'readline';
import { SingleBar } from 'cli-progress';
import { Command, InvalidArgumentError, Option } from 'commander';
import { checkClientConfiguration, ConfigurationError, createKinesisClient, parseEndpoint } from './client';
import { generateRecord } from './lab-records';
import { PartitionKeys } from './partition-keys';
import { FailedRecord, KinesisProducer, ProducerSummary } from './producer';

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
  readonly missingKey: 'fail' | 'random';
  readonly longKey: 'fail' | 'hash';
  readonly devices: number;
  readonly recordSize: number;
  readonly aggregate: boolean;
  readonly aggregationMaxBytes: number;
  readonly maxBufferedTime: number;
  readonly recordTtl: number;
  readonly requestTimeout: number;
  readonly maxInFlight: number;
  readonly maxBufferedRecords: number;
  readonly maxRecordBytes?: number;
  readonly preserveOrder: boolean;
  readonly strictOrder: boolean;
  readonly shutdownGrace: number;
  readonly progress: boolean;
  readonly json: boolean;
  readonly failedOut?: string;
}

/** How a run is stopped from outside: `graceful` flushes for `--shutdown-grace` ms, `immediate` gives up at once. */
export interface Interrupts {
  readonly graceful?: AbortSignal;
  readonly immediate?: AbortSignal;
}

/** What a run produced. */
export interface RunSummary extends Omit<ProducerSummary, 'failures'> {
  readonly seconds: number;
  readonly recordsPerSecond: number;
  readonly bytesPerSecond: number;
  /** The signal that interrupted the run, if one did. */
  readonly interrupted?: string;
  /** Failed records per error code (all of them). */
  readonly failuresByCode: Record<string, number>;
  /** The first failures (all are in `--failed-out`). */
  readonly failures: Array<{ id?: string; errorCode?: string; errorMessage?: string }>;
}

/** Slowest `--rate` accepted (one record every ~17 minutes); `0` means unthrottled. */
export const MIN_RATE = 0.001;
/** Longest single timer Node.js supports (ms); longer waits are chained. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** A strict number parser: no empty strings, no trailing text, within bounds. */
function numberOption(name: string, opts: { min: number; max?: number; integer?: boolean }) {
  return (value: string): number => {
    const n = value.trim() === '' ? NaN : Number(value);
    const max = opts.max ?? Number.MAX_SAFE_INTEGER;
    if (!Number.isFinite(n) || n < opts.min || n > max || (opts.integer && !Number.isInteger(n))) {
      throw new InvalidArgumentError(`${name} must be a ${opts.integer ? 'whole number' : 'number'} from ${opts.min} to ${max}, got '${value}'`);
    }
    return n;
  };
}

function rateOption(value: string): number {
  const n = value.trim() === '' ? NaN : Number(value);
  if (n === 0) return 0;
  if (!Number.isFinite(n) || n < MIN_RATE || n > 1_000_000) {
    throw new InvalidArgumentError(`--rate must be 0 (as fast as the stream accepts) or from ${MIN_RATE} to 1000000 records/s, got '${value}'`);
  }
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
    .option('-n, --count <records>', 'stop after this many records (default: 1000 generated records, or the whole file)', numberOption('--count', { min: 1, integer: true }))
    .option('-r, --rate <records/s>', `target rate in records per second (${MIN_RATE} or more); 0 sends as fast as the stream accepts`, rateOption, 100)
    .option('-d, --duration <seconds>', 'stop after this many seconds', numberOption('--duration', { min: 0.001 }))
    .option('-k, --partition-key <strategy>', 'random | field:<path> (e.g. field:deviceId) | round-robin:<shards> (explicit hash keys)', 'field:deviceId')
    .addOption(new Option('--missing-key <action>', 'with field:<path>, a record without the field: fail it (reported) or give it a random key').choices(['fail', 'random']).default('fail'))
    .addOption(new Option('--long-key <action>', 'with field:<path>, a value over 256 characters: fail the record (reported) or use its SHA-256 hex digest').choices(['fail', 'hash']).default('fail'))
    .option('--devices <n>', 'distinct deviceId values of generated records', numberOption('--devices', { min: 1, integer: true }), 50)
    .option('--record-size <bytes>', 'approximate size of a generated record', numberOption('--record-size', { min: 64, integer: true }), 300)
    .option('--aggregate', 'KPL-compatible aggregation of user records into Kinesis records', false)
    .option('--aggregation-max-bytes <bytes>', 'largest aggregated record', numberOption('--aggregation-max-bytes', { min: 1024, max: 1048576, integer: true }), 51200)
    .option('--max-buffered-time <ms>', 'longest time a record waits for a fuller batch', numberOption('--max-buffered-time', { min: 0, max: 3_600_000, integer: true }), 100)
    .option('--record-ttl <ms>', 'a record not delivered within this time is reported as failed', numberOption('--record-ttl', { min: 1, max: 86_400_000, integer: true }), 30000)
    .option('--request-timeout <ms>', 'a PutRecords call with no answer after this long is aborted and retried', numberOption('--request-timeout', { min: 1, max: 86_400_000, integer: true }), 10000)
    .option('--max-record-bytes <bytes>', 'largest record the stream accepts, if its maximum record size was raised (up to 10485760)', numberOption('--max-record-bytes', { min: 1048576, max: 10485760, integer: true }))
    .option('--max-in-flight <n>', 'concurrent PutRecords calls', numberOption('--max-in-flight', { min: 1, max: 1000, integer: true }), 4)
    .option('--max-buffered-records <n>', 'records buffered at most (reading waits while it is full)', numberOption('--max-buffered-records', { min: 1, integer: true }), 20000)
    .option('--no-preserve-order', 'no order per key: a key can have several calls in flight and retries reorder freely (default: one call in flight'
      + ' per key, in put order, a failed entry retried before the key\'s next records; order holds when Kinesis refuses a key\'s entries as a'
      + ' suffix of a call, as a throttled shard does, but an entry refused between written entries of its key is written after them:'
      + ' the summary counts such records as "reordered")')
    .option('--strict-order', 'at most one record per partition key in a call: order per key kept whatever entries fail (slower with few keys;'
      + ' with --aggregate that record holds many of the key\'s records, so it costs little)', false)
    .option('--shutdown-grace <ms>', 'on SIGINT/SIGTERM, time given to deliver what is buffered before the rest is written to --failed-out', numberOption('--shutdown-grace', { min: 0, max: 3_600_000, integer: true }), 5000)
    .option('--no-progress', 'no progress bar')
    .option('--json', 'print the summary as JSON', false)
    .option('--failed-out <path>', 'write records that finally failed (and, on interruption, those not sent) to this JSON-lines file')
    .showHelpAfterError();
}

function strategy(options: CliOptions): PartitionKeys {
  const spec = options.partitionKey;
  if (spec === 'random') return PartitionKeys.random();
  const colon = spec.indexOf(':');
  const [kind, arg] = colon < 0 ? [spec, ''] : [spec.slice(0, colon), spec.slice(colon + 1)];
  if (kind === 'field' && arg && !arg.split('.').includes('')) return PartitionKeys.field(arg, { ifMissing: options.missingKey, ifTooLong: options.longKey });
  if (kind === 'round-robin' && /^[1-9]\d*$/.test(arg)) return PartitionKeys.roundRobin(Number(arg));
  throw new InvalidArgumentError('--partition-key: expected random, field:<path> (a non-empty dot path with no empty part, e.g. field:deviceId'
    + ` or field:device.id) or round-robin:<shards> (a whole number from 1), got '${spec}'`);
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

/** Waits `ms` (any length), or less if `signal` aborts. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    let timer: NodeJS.Timeout;
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const end = Date.now() + ms;
    const arm = () => {
      const left = end - Date.now();
      if (left <= 0) return done();
      timer = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
    };
    signal?.addEventListener('abort', done, { once: true });
    arm();
  });
}

/** Waits for `promise`, or less if `signal` aborts. */
function unlessAborted(promise: Promise<void>, signal?: AbortSignal): Promise<void> {
  if (!signal) return promise;
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      signal.removeEventListener('abort', done);
      resolve();
    };
    signal.addEventListener('abort', done, { once: true });
    void promise.then(done);
  });
}

function human(n: number, unit: string): string {
  const units = ['', 'K', 'M', 'G'];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000;
    i++;
  }
  return `${n.toFixed(n < 10 && i > 0 ? 1 : 0)} ${units[i]}${unit}`;
}

/** Failed records, one JSON line each, written as they fail (synchronously: nothing is lost on exit). */
class FailureSink {
  private fd?: number;
  public readonly byCode: Record<string, number> = {};
  constructor(private readonly path?: string) {}
  public write(f: FailedRecord): void {
    const code = f.errorCode ?? 'Error';
    this.byCode[code] = (this.byCode[code] ?? 0) + 1;
    if (!this.path) return;
    this.fd = this.fd ?? openSync(this.path, 'w');
    writeSync(this.fd, `${JSON.stringify({ id: f.id, errorCode: f.errorCode, errorMessage: f.errorMessage, record: f.record })}\n`);
  }
  public close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

function progressBar(options: CliOptions, producer: KinesisProducer, start: number, total: number): { stop(): void } {
  if (!options.progress) return { stop: () => undefined };
  const bar = new SingleBar({
    format: '{bar} {value}/{total} delivered | {rps} rec/s | {bps} | throttles {throttles} | retries {retries} | failed {failed}',
    stream: process.stderr,
    hideCursor: true,
    etaBuffer: 50,
  });
  const payload = () => {
    const s = producer.stats;
    const seconds = Math.max(0.001, (Date.now() - start) / 1000);
    return { rps: Math.round(s.delivered / seconds), bps: human(s.bytesDelivered / seconds, 'B/s'), throttles: s.throttles, retries: s.retries, failed: s.failed };
  };
  bar.start(total, 0, payload());
  const ticker = setInterval(() => bar.update(producer.stats.delivered, payload()), 250);
  return {
    stop: () => {
      clearInterval(ticker);
      bar.update(producer.stats.delivered, payload());
      bar.stop();
    },
  };
}

/** Runs the CLI with parsed options; returns the summary. Throws ConfigurationError / InvalidArgumentError at once. */
export async function produce(options: CliOptions, out: NodeJS.WritableStream = process.stdout, interrupts: Interrupts = {}): Promise<RunSummary> {
  if (!options.stream && !options.streamArn) throw new InvalidArgumentError('give --stream or --stream-arn');
  const partitionKeys = strategy(options);
  if (options.endpoint !== undefined) parseEndpoint(options.endpoint);
  const client = createKinesisClient({
    region: options.region, endpoint: options.endpoint, requestTimeoutMs: options.requestTimeout, maxSockets: Math.max(50, options.maxInFlight),
  });
  const sink = new FailureSink(options.failedOut);
  try {
    await checkClientConfiguration(client);
    const producer = new KinesisProducer({
      client,
      streamName: options.stream,
      streamArn: options.streamArn,
      partitionKeys,
      aggregate: options.aggregate,
      aggregationMaxBytes: options.aggregationMaxBytes,
      maxBufferedTimeMs: options.maxBufferedTime,
      recordTtlMs: options.recordTtl,
      requestTimeoutMs: options.requestTimeout,
      maxInFlight: options.maxInFlight,
      maxBufferedRecords: options.maxBufferedRecords,
      maxRecordBytes: options.maxRecordBytes,
      preserveOrder: options.preserveOrder,
      strictOrder: options.strictOrder,
      onFailure: (f) => sink.write(f),
      keepFailures: 20,
    });
    const result = await run(options, producer, sink, interrupts);
    out.write(options.json ? `${JSON.stringify(result)}\n` : render(result, options));
    return result;
  } finally {
    sink.close();
    client.destroy();
  }
}

/**
 * Feeds the producer, then closes it. Whenever the graceful interrupt comes (reading or
 * already flushing), reading stops and what is not delivered within the grace period fails
 * with `Interrupted`; the immediate interrupt fails it at once.
 */
async function run(options: CliOptions, producer: KinesisProducer, sink: FailureSink, interrupts: Interrupts): Promise<RunSummary> {
  let graceTimer: NodeJS.Timeout | undefined;
  const stopNow = () => producer.abort(`interrupted by a second ${interrupts.immediate?.reason ?? 'signal'} before it was delivered`, 'Interrupted');
  const stopSoon = () => {
    graceTimer = setTimeout(() => producer.abort(
      `not delivered within the shutdown grace period of ${options.shutdownGrace} ms after ${interrupts.graceful?.reason}`, 'Interrupted'), options.shutdownGrace);
  };
  interrupts.immediate?.addEventListener('abort', stopNow, { once: true });
  interrupts.graceful?.addEventListener('abort', stopSoon, { once: true });
  const start = Date.now();
  const limit = options.count ?? (options.file || options.duration !== undefined ? Infinity : 1000);
  const total = Number.isFinite(limit) ? limit : options.duration !== undefined && options.rate > 0 ? Math.floor(options.rate * options.duration) : 0;
  const bar = progressBar(options, producer, start, total);
  let summary: ProducerSummary;
  try {
    await feed(options, producer, start, limit, interrupts.graceful);
    summary = await producer.close();
  } finally {
    clearTimeout(graceTimer);
    interrupts.immediate?.removeEventListener('abort', stopNow);
    interrupts.graceful?.removeEventListener('abort', stopSoon);
    bar.stop();
  }
  if (producer.fatalError) throw new ConfigurationError(`${producer.fatalError.code}: ${producer.fatalError.message}`);
  return summarize(summary, start, sink, interrupts.graceful?.aborted ? String(interrupts.graceful.reason) : undefined);
}

/** Reads records and puts them at the target rate until the count, duration, input or an interrupt ends. */
async function feed(options: CliOptions, producer: KinesisProducer, start: number, limit: number, stop?: AbortSignal): Promise<void> {
  const source = options.file ? fileRecords(options.file) : generatedRecords(options.devices, options.recordSize);
  const deadline = options.duration !== undefined ? start + options.duration * 1000 : Infinity;
  let sent = 0;
  for await (const record of source) {
    if (sent >= limit || Date.now() >= deadline || stop?.aborted || producer.fatalError) break;
    if (options.rate > 0) {
      const due = start + (sent / options.rate) * 1000;
      if (due >= deadline) break;
      const wait = due - Date.now();
      if (wait > 2) await sleep(wait, stop);
      if (Date.now() >= deadline || stop?.aborted) break;
    }
    await unlessAborted(producer.waitForCapacity(), stop);
    if (stop?.aborted || producer.fatalError) break;
    void producer.put(record);
    sent++;
  }
}

function summarize(summary: ProducerSummary, start: number, sink: FailureSink, interrupted?: string): RunSummary {
  const seconds = (Date.now() - start) / 1000;
  return {
    ...summary,
    seconds,
    recordsPerSecond: summary.delivered / Math.max(seconds, 0.001),
    bytesPerSecond: summary.bytesDelivered / Math.max(seconds, 0.001),
    interrupted,
    failuresByCode: { ...sink.byCode },
    failures: summary.failures.map((f) => ({ id: f.id, errorCode: f.errorCode, errorMessage: f.errorMessage })),
  };
}

function render(r: RunSummary, options: CliOptions): string {
  const codes = Object.entries(r.failuresByCode).map(([code, n]) => `${n} ${code}`).join(', ');
  const lines = [
    `stream            ${options.stream ?? options.streamArn}${options.endpoint ? ` at ${options.endpoint}` : ''}`,
    ...(r.interrupted ? [`interrupted       by ${r.interrupted}: reading stopped, buffered records flushed for up to ${options.shutdownGrace} ms`] : []),
    `records put       ${r.put}`,
    `delivered         ${r.delivered}`,
    `failed            ${r.failed}${codes ? ` (${codes})` : ''}${options.failedOut && r.failed > 0 ? `, written to ${options.failedOut}` : ''}`,
    `duration          ${r.seconds.toFixed(2)} s`,
    `throughput        ${r.recordsPerSecond.toFixed(0)} records/s, ${human(r.bytesPerSecond, 'B/s')}`,
    `PutRecords calls  ${r.putRecordsCalls} (minimum ${Math.ceil(r.kinesisRecords / 500)} for ${r.kinesisRecords} Kinesis records)`,
    `retries           ${r.retries} entries, throttled ${r.throttles}, calls timed out ${r.timeouts}, reordered ${r.reordered}`,
  ];
  for (const f of r.failures.slice(0, 5)) lines.push(`  failed ${f.id ?? '(no id)'}: ${f.errorCode}: ${f.errorMessage}`);
  return `${lines.join('\n')}\n`;
}

/** Exit codes of `produce`. */
export const ExitCodes = {
  OK: 0,
  /** Bad arguments or a configuration error (no region, no credentials, bad endpoint). */
  USAGE: 1,
  /** Some records failed (listed, and written to --failed-out). */
  FAILED_RECORDS: 2,
  SIGINT: 130,
  SIGTERM: 143,
} as const;

/** Entry point of `bin/produce.js`: the first SIGINT/SIGTERM stops gracefully, a second one at once. */
export async function main(argv: string[] = process.argv): Promise<void> {
  const command = buildCommand();
  command.parse(argv);
  const opts = command.opts() as CliOptions;
  const graceful = new AbortController();
  const immediate = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    const code = signal === 'SIGTERM' ? ExitCodes.SIGTERM : ExitCodes.SIGINT;
    if (!graceful.signal.aborted) {
      process.stderr.write(`\nproduce: ${signal}: stopped reading; delivering buffered records for up to ${opts.shutdownGrace} ms (${signal} again to stop at once)\n`);
      graceful.abort(signal);
      return;
    }
    process.stderr.write(`\nproduce: second ${signal}: stopping now; records not delivered are written to --failed-out\n`);
    immediate.abort(signal);
    // the summary normally follows within milliseconds; never wait longer than a second
    setTimeout(() => process.exit(code), 1000).unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const summary = await produce(opts, process.stdout, { graceful: graceful.signal, immediate: immediate.signal });
    if (summary.interrupted) process.exitCode = summary.interrupted === 'SIGTERM' ? ExitCodes.SIGTERM : ExitCodes.SIGINT;
    else process.exitCode = summary.failed > 0 ? ExitCodes.FAILED_RECORDS : ExitCodes.OK;
  } catch (e) {
    process.stderr.write(`produce: ${(e as Error).message}\n`);
    process.exitCode = ExitCodes.USAGE;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
