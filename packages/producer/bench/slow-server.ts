/**
 * A Kinesis server that accepts about `rate` records/s: kinesalite behind the tests' fault
 * proxy, in its own process (so its memory is not counted in the producer's). Mode `throttle`
 * (default) refuses entries beyond the rate as Kinesis does; `slow` answers late instead.
 * Prints `{"endpoint": ...}` once ready; runs until killed.
 */
import { FaultProxy } from '../test/fault-proxy';
import { createStream, startKinesalite } from '../test/local-kinesis';

async function main(): Promise<void> {
  const rate = Number(process.argv[2] ?? 100);
  const mode = process.argv[3] === 'slow' ? 'slow' : 'throttle';
  const local = await startKinesalite();
  await createStream(local.client, 'soak', 1);
  const proxy = await FaultProxy.start(local.endpoint, { mode, recordsPerSecond: rate });
  process.stdout.write(`${JSON.stringify({ endpoint: proxy.endpoint })}\n`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
