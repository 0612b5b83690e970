/**
 * Producer benchmark against a local kinesalite (in memory, in this process):
 * the library (batched PutRecords) vs a naive loop of one PutRecord per record.
 *
 *   npx ts-node --transpile-only -r tsconfig-paths/register packages/producer/bench/producer.bench.ts [records]
 *
 * Prints records/s and PutRecords calls, their ratios, and calls vs the minimum ceil(N/500).
 * kinesalite is far slower than Kinesis: the ratios matter, not the absolute figures.
 */
import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import { KinesisProducer, PartitionKeys } from '../src';
import { createStream, readAll, startKinesalite } from '../test/local-kinesis';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 3000);
  const local = await startKinesalite();
  try {
    const records = Array.from({ length: n }, (_, i) => ({ deviceId: `device-${i % 100}`, seq: i, payload: 'x'.repeat(100) }));

    await createStream(local.client, 'bench-naive', 4);
    let start = process.hrtime.bigint();
    for (const r of records) {
      await local.client.send(new PutRecordCommand({ StreamName: 'bench-naive', PartitionKey: r.deviceId, Data: Buffer.from(JSON.stringify(r)) }));
    }
    const naiveSeconds = Number(process.hrtime.bigint() - start) / 1e9;
    const naiveCalls = n;

    const run = async (name: string, aggregate: boolean) => {
      await createStream(local.client, name, 4);
      const producer = new KinesisProducer({ client: local.client, streamName: name, partitionKeys: PartitionKeys.random(), aggregate });
      const t = process.hrtime.bigint();
      for (const r of records) {
        await producer.waitForCapacity();
        void producer.put(r);
      }
      const summary = await producer.close();
      const seconds = Number(process.hrtime.bigint() - t) / 1e9;
      if (summary.delivered !== n) throw new Error(`${name}: delivered ${summary.delivered} of ${n}`);
      const read = await readAll(local.client, name);
      if (read.length !== summary.kinesisRecords) throw new Error(`${name}: read ${read.length} Kinesis records, expected ${summary.kinesisRecords}`);
      return { seconds, calls: summary.putRecordsCalls, kinesisRecords: summary.kinesisRecords };
    };
    const lib = await run('bench-library', false);
    const agg = await run('bench-aggregated', true);

    const minimum = Math.ceil(n / 500);
    const rate = (s: number) => n / s;
    const rows = [
      ['naive PutRecord loop', rate(naiveSeconds), naiveCalls, naiveCalls],
      ['library (PutRecords)', rate(lib.seconds), lib.calls, lib.kinesisRecords],
      ['library + aggregation', rate(agg.seconds), agg.calls, agg.kinesisRecords],
    ] as const;
    console.log(`records: ${n} x ~${JSON.stringify(records[0]).length + 50} bytes, 4 shards, local kinesalite`);
    console.log('variant                    records/s   API calls   Kinesis records');
    for (const [name, rps, calls, kr] of rows) {
      console.log(`${name.padEnd(26)} ${rps.toFixed(0).padStart(9)} ${String(calls).padStart(11)} ${String(kr).padStart(17)}`);
    }
    console.log(`library vs naive:              ${(rate(lib.seconds) / rate(naiveSeconds)).toFixed(1)}x records/s, ${(naiveCalls / lib.calls).toFixed(0)}x fewer calls`);
    console.log(`library + aggregation vs naive: ${(rate(agg.seconds) / rate(naiveSeconds)).toFixed(1)}x records/s, ${(naiveCalls / agg.calls).toFixed(0)}x fewer calls`);
    console.log(`library calls vs minimum ceil(${n}/500) = ${minimum}: ${lib.calls} (${(lib.calls / minimum).toFixed(2)}x)`);
  } finally {
    await local.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
