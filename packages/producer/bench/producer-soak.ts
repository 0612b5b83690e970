/**
 * The memory run, alone (`npm run bench` runs it for 300 s, or BENCH_SOAK_SECONDS, after the
 * throughput and put() cost parts of producer.bench.ts):
 *
 *   node --import tsx packages/producer/bench/producer-soak.ts [seconds] [sampleEverySeconds] [throttle|slow]
 */
import { soak } from './soak';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

soak(Number(process.argv[2] ?? 300), Number(process.argv[3] ?? 30), process.argv[4] === 'slow' ? 'slow' : 'throttle').catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
