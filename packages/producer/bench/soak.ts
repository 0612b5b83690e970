import { ChildProcess, spawn } from 'child_process';
import * as path from 'path';
import { Writable } from 'stream';
import { buildCommand, CliOptions, produce } from '../src/cli';

const devNull = new Writable({ write: (_chunk, _enc, done) => done() });
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

function startServer(rate: number, mode: string): Promise<{ child: ChildProcess; endpoint: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'slow-server.ts'), String(rate), mode], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve({ child, endpoint: JSON.parse(line).endpoint });
    });
    child.on('exit', (code) => reject(new Error(`slow server exited with ${code}`)));
  });
}

/** One memory sample. */
export interface Sample {
  readonly seconds: number;
  readonly rssMiB: number;
  readonly heapMiB: number;
}

/** Least-squares slope of `value` against `seconds`, per minute. */
function slopePerMinute(samples: Sample[], value: (s: Sample) => number): number {
  const n = samples.length;
  const mx = samples.reduce((a, s) => a + s.seconds, 0) / n;
  const my = samples.reduce((a, s) => a + value(s), 0) / n;
  const sxx = samples.reduce((a, s) => a + (s.seconds - mx) ** 2, 0);
  const sxy = samples.reduce((a, s) => a + (s.seconds - mx) * (value(s) - my), 0);
  return sxx === 0 ? 0 : (sxy / sxx) * 60;
}

/**
 * Whether RSS is flat: the first 40 % of the run is warm-up (the heap grows to its working size
 * while 20,000 records fill the buffer) and left out; over the rest, the least-squares trend of
 * RSS must add less than max(10 % of its mean, 16 MiB) across that window. A leak like the first
 * version's (160 -> 242 MiB in 4 minutes, about 20 MiB/min) fails it; GC oscillation does not.
 */
export function memoryVerdict(samples: Sample[], seconds: number): string {
  const steady = samples.filter((s) => s.seconds >= seconds * 0.4);
  if (seconds < 60 || steady.length < 3) {
    return `verdict: not judged (${seconds} s with ${steady.length} samples after warm-up; needs >= 60 s and >= 3 samples: run 300 s, the default)`;
  }
  const window = steady[steady.length - 1].seconds - steady[0].seconds;
  const rssSlope = slopePerMinute(steady, (s) => s.rssMiB);
  const heapSlope = slopePerMinute(steady, (s) => s.heapMiB);
  const meanRss = steady.reduce((a, s) => a + s.rssMiB, 0) / steady.length;
  const growth = (rssSlope * window) / 60;
  const allowed = Math.max(meanRss * 0.1, 16);
  const rss = steady.map((s) => s.rssMiB);
  const trend = growth >= allowed ? 'GROWING' : growth <= -allowed ? 'FALLING (not growing)' : 'FLAT';
  return `verdict: RSS ${trend} from ${Math.round(steady[0].seconds)} s to ${Math.round(steady[steady.length - 1].seconds)} s`
    + ` (trend ${rssSlope >= 0 ? '+' : ''}${rssSlope.toFixed(1)} MiB/min = ${growth >= 0 ? '+' : ''}${growth.toFixed(1)} MiB over the window, allowed < ${allowed.toFixed(0)} MiB;`
    + ` RSS ${Math.min(...rss).toFixed(0)} - ${Math.max(...rss).toFixed(0)} MiB; heap trend ${heapSlope >= 0 ? '+' : ''}${heapSlope.toFixed(1)} MiB/min)`;
}

/**
 * The CLI with its default settings (only --rate 0 and --duration given) feeding a server that
 * writes ~100 records/s (`throttle`: refuses the excess at once, as Kinesis does; `slow`: answers
 * late) for `seconds`, as fast as backpressure allows; prints RSS and heap every `sampleEvery`
 * seconds, a trend verdict (`memoryVerdict`) and records delivered per second, then stops it
 * like a Ctrl-C with no grace period.
 */
export async function soak(seconds: number, sampleEvery: number, mode: 'throttle' | 'slow' = 'throttle', rate = 100): Promise<void> {
  const server = await startServer(rate, mode);
  const graceful = new AbortController();
  try {
    const how = mode === 'throttle' ? 'refusing the excess with ProvisionedThroughputExceededException' : 'answering each call after records / rate seconds';
    console.log(`\n3. memory: CLI defaults, --rate 0, ${seconds} s against a server writing ~${rate} records/s, ${how} (separate process)`);
    console.log('   t (s)   RSS (MiB)   heap used (MiB)');
    const start = Date.now();
    const samples: Sample[] = [];
    const sample = () => {
      const m = process.memoryUsage();
      const s = { seconds: (Date.now() - start) / 1000, rssMiB: m.rss / 1024 / 1024, heapMiB: m.heapUsed / 1024 / 1024 };
      samples.push(s);
      console.log(`${String(Math.round(s.seconds)).padStart(8)} ${mb(m.rss).padStart(11)} ${mb(m.heapUsed).padStart(17)}`);
    };
    const sampler = setInterval(sample, sampleEvery * 1000);
    const stop = setTimeout(() => graceful.abort('end of the soak'), seconds * 1000);
    const command = buildCommand();
    command.parse(['node', 'produce', '-s', 'soak', '--endpoint', server.endpoint, '--rate', '0', '--duration', String(seconds + 60),
      '--no-progress', '--json', '--shutdown-grace', '0']);
    const summary = await produce(command.opts() as CliOptions, devNull, { graceful: graceful.signal });
    clearInterval(sampler);
    clearTimeout(stop);
    // the last sample is taken after the stop, while the buffered records are failed at once: not part of the verdict
    const verdict = memoryVerdict(samples, seconds);
    sample();
    console.log(`   ${verdict}`);
    console.log(`   delivered ${summary.delivered} in ${summary.seconds.toFixed(0)} s = ${(summary.delivered / summary.seconds).toFixed(1)} records/s`
      + ` (server accepts ~${rate}/s); put ${summary.put}, failed ${summary.failed} ${JSON.stringify(summary.failuresByCode)},`
      + ` calls ${summary.putRecordsCalls}, timed out ${summary.timeouts}`);
  } finally {
    server.child.removeAllListeners('exit');
    server.child.kill();
  }
}
