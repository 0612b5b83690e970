/**
 * The 5-minute memory run (not part of `npm run bench`):
 *
 *   node --import tsx packages/producer/bench/producer-soak.ts [seconds] [sampleEverySeconds] [throttle|slow]
 */
import { soak } from './soak';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

soak(Number(process.argv[2] ?? 300), Number(process.argv[3] ?? 30), process.argv[4] === 'slow' ? 'slow' : 'throttle').catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
