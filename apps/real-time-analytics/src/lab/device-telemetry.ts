/**
 * Lab device simulator: JSON lines of temperature readings, in the shape the IoT rule writes to
 * the Telemetry stream (`{"deviceId", "ts", "temperature"}`), for `npx produce -f /dev/stdin`.
 * Each device has its own base temperature and noise; now and then a reading jumps by a few
 * degrees (the anomaly the Flink job should flag).
 *
 * ```sh
 * node --import tsx apps/real-time-analytics/src/lab/device-telemetry.ts --devices 10 --seconds 600 \
 *   | npx produce -s <TelemetryStreamName> -f /dev/stdin --rate 0 -k field:deviceId
 * ```
 */

/** Options of {@link DeviceSimulator}. */
export interface DeviceSimulatorOptions {
  /** Number of devices (`sensor-0000`, ...). */
  readonly devices: number;
  /** A reading in this many is a spike (per device, on average). */
  readonly spikeEvery: number;
  /** Degrees a spike adds (or removes). */
  readonly spikeDegrees: number;
  /** Seed of the pseudo-random sequence (the same seed gives the same readings). */
  readonly seed: number;
}

/** One reading. */
export interface Reading {
  readonly deviceId: string;
  /** Epoch milliseconds (the IoT rule's `timestamp()`). */
  readonly ts: number;
  readonly temperature: number;
  /** True for an injected spike (not sent: the job must find it by itself). */
  readonly spike: boolean;
}

/** Defaults of the CLI. */
export const SIMULATOR_DEFAULTS: DeviceSimulatorOptions = { devices: 10, spikeEvery: 150, spikeDegrees: 8, seed: 42 };

/** Park-Miller "minimal standard" generator: seedable, uniform in (0, 1), no bit operations. */
function random(seed: number): () => number {
  const modulus = 2_147_483_647;
  let state = (Math.abs(Math.floor(seed)) % (modulus - 1)) + 1;
  return () => {
    state = (state * 48_271) % modulus;
    return (state - 1) / (modulus - 1);
  };
}

/** Simulated devices: each call to {@link tick} gives one reading per device. */
export class DeviceSimulator {
  private readonly next: () => number;
  private readonly bases: number[];

  constructor(private readonly options: DeviceSimulatorOptions = SIMULATOR_DEFAULTS) {
    if (!Number.isInteger(options.devices) || options.devices < 1 || options.devices > 10_000) throw new Error(`devices must be 1-10000, got ${options.devices}`);
    if (!(options.spikeEvery >= 2)) throw new Error(`spikeEvery must be at least 2, got ${options.spikeEvery}`);
    this.next = random(options.seed);
    this.bases = Array.from({ length: options.devices }, (_, i) => 18 + (i % 7) + this.next());
  }

  /** One reading per device at time `ts`. */
  public tick(ts: number): Reading[] {
    return this.bases.map((base, i) => {
      // noise: sum of three uniforms, roughly normal, standard deviation about 0.3 degrees
      const noise = (this.next() + this.next() + this.next() - 1.5) * 0.6;
      const spike = this.next() < 1 / this.options.spikeEvery;
      const jump = spike ? (this.next() < 0.5 ? -1 : 1) * this.options.spikeDegrees : 0;
      return { deviceId: `sensor-${String(i).padStart(4, '0')}`, ts, temperature: Math.round((base + noise + jump) * 100) / 100, spike };
    });
  }
}

/** The JSON line of a reading (without the spike marker). */
export function toJsonLine(r: Reading): string {
  return JSON.stringify({ deviceId: r.deviceId, ts: r.ts, temperature: r.temperature });
}

function parseArgs(argv: string[]): DeviceSimulatorOptions & { seconds: number; interval: number } {
  const value = (name: string, fallback: number) => {
    const i = argv.indexOf(`--${name}`);
    if (i < 0) return fallback;
    const n = Number(argv[i + 1]);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} needs a positive number, got ${argv[i + 1]}`);
    return n;
  };
  return {
    devices: value('devices', SIMULATOR_DEFAULTS.devices),
    spikeEvery: value('spike-every', SIMULATOR_DEFAULTS.spikeEvery),
    spikeDegrees: value('spike-degrees', SIMULATOR_DEFAULTS.spikeDegrees),
    seed: value('seed', SIMULATOR_DEFAULTS.seed),
    seconds: value('seconds', 600),
    interval: value('interval', 1),
  };
}

/** Writes one reading per device every `interval` seconds for `seconds` seconds, in real time. */
async function main(argv: string[]): Promise<void> {
  const options = parseArgs(argv);
  const simulator = new DeviceSimulator(options);
  const end = Date.now() + options.seconds * 1000;
  let spikes = 0;
  while (Date.now() < end) {
    const readings = simulator.tick(Date.now());
    spikes += readings.filter((r) => r.spike).length;
    if (!process.stdout.write(readings.map(toJsonLine).join('\n') + '\n')) await new Promise((r) => process.stdout.once('drain', r));
    await new Promise((r) => setTimeout(r, options.interval * 1000));
  }
  process.stderr.write(`device-telemetry: ${options.devices} devices, ${spikes} spikes injected\n`);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e) => {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(1);
  });
}
