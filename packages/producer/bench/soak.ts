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

/**
 * The CLI with its default settings (only --rate 0 and --duration given) feeding a server that
 * writes ~100 records/s (`throttle`: refuses the excess at once, as Kinesis does; `slow`: answers late) for `seconds`, as fast as backpressure allows; prints RSS and heap
 * every `sampleEvery` seconds, then stops it like a Ctrl-C with no grace period.
 */
export async function soak(seconds: number, sampleEvery: number, mode: 'throttle' | 'slow' = 'throttle', rate = 100): Promise<void> {
  const server = await startServer(rate, mode);
  const graceful = new AbortController();
  try {
    const how = mode === 'throttle' ? 'refusing the excess with ProvisionedThroughputExceededException' : 'answering each call after records / rate seconds';
    console.log(`\n3. memory: CLI defaults, --rate 0, ${seconds} s against a server writing ~${rate} records/s, ${how} (separate process)`);
    console.log('   t (s)   RSS (MiB)   heap used (MiB)');
    const start = Date.now();
    const sample = () => {
      const m = process.memoryUsage();
      console.log(`${String(Math.round((Date.now() - start) / 1000)).padStart(8)} ${mb(m.rss).padStart(11)} ${mb(m.heapUsed).padStart(17)}`);
    };
    const sampler = setInterval(sample, sampleEvery * 1000);
    const stop = setTimeout(() => graceful.abort('end of the soak'), seconds * 1000);
    const command = buildCommand();
    command.parse(['node', 'produce', '-s', 'soak', '--endpoint', server.endpoint, '--rate', '0', '--duration', String(seconds + 60),
      '--no-progress', '--json', '--shutdown-grace', '0']);
    const summary = await produce(command.opts() as CliOptions, devNull, { graceful: graceful.signal });
    clearInterval(sampler);
    clearTimeout(stop);
    sample();
    console.log(`   put ${summary.put}, delivered ${summary.delivered} (${(summary.delivered / summary.seconds).toFixed(0)}/s), failed ${summary.failed}`
      + ` ${JSON.stringify(summary.failuresByCode)}, calls ${summary.putRecordsCalls}, timed out ${summary.timeouts}`);
  } finally {
    server.child.removeAllListeners('exit');
    server.child.kill();
  }
}
