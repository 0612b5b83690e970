import { KinesisCapacity, ShardLimitingFactor } from '../src';

describe('KinesisCapacity.shardsFor', () => {
  test('write throughput decides: 4.5 MiB/s in -> 5 shards', () => {
    const e = KinesisCapacity.shardsFor({ incomingMibPerSecond: 4.5, incomingRecordsPerSecond: 2000 });
    expect(e).toMatchObject({ shards: 5, forWriteThroughput: 5, forWriteRecords: 2, forReadThroughput: 3 });
    expect(e.limitingFactor).toBe(ShardLimitingFactor.WRITE_THROUGHPUT);
  });

  test('record rate decides: many small records (10,500 records/s of 100 bytes) -> 11 shards', () => {
    const e = KinesisCapacity.shardsFor({ incomingMibPerSecond: 1, incomingRecordsPerSecond: 10_500 });
    expect(e.shards).toBe(11);
    expect(e.limitingFactor).toBe(ShardLimitingFactor.WRITE_RECORDS);
  });

  test('shared consumers decide: 3 MiB/s read by 5 standard consumers = 15 MiB/s / 2 -> 8 shards', () => {
    const e = KinesisCapacity.shardsFor({ incomingMibPerSecond: 3, incomingRecordsPerSecond: 100, consumers: 5 });
    expect(e.forReadThroughput).toBe(8);
    expect(e.shards).toBe(8);
    expect(e.limitingFactor).toBe(ShardLimitingFactor.READ_THROUGHPUT);
  });

  test('enhanced fan-out gives each consumer its own 2 MiB/s per shard', () => {
    const e = KinesisCapacity.shardsFor({ incomingMibPerSecond: 3, incomingRecordsPerSecond: 100, consumers: 5, enhancedFanOut: true });
    expect(e.forReadThroughput).toBe(2);
    expect(e.shards).toBe(3);
    expect(e.enhancedFanOutAdvised).toBe(false);
  });

  test('more than 5 polling consumers advise enhanced fan-out (5 GetRecords calls/s/shard)', () => {
    expect(KinesisCapacity.shardsFor({ incomingMibPerSecond: 1, incomingRecordsPerSecond: 1, consumers: 5 }).enhancedFanOutAdvised).toBe(false);
    expect(KinesisCapacity.shardsFor({ incomingMibPerSecond: 1, incomingRecordsPerSecond: 1, consumers: 6 }).enhancedFanOutAdvised).toBe(true);
  });

  test('partial reads and headroom', () => {
    const e = KinesisCapacity.shardsFor({
      incomingMibPerSecond: 2, incomingRecordsPerSecond: 1000, consumers: 2, readMibPerSecondPerConsumer: 0.5, headroomPercent: 50,
    });
    expect(e.forReadThroughput).toBe(1);
    expect(e.shards).toBe(3); // 2 * 1.5
  });

  test('floating-point noise does not add a shard (0.1 + 0.2 MiB/s -> 1)', () => {
    expect(KinesisCapacity.shardsFor({ incomingMibPerSecond: 3 * 1.1 - 0.3, incomingRecordsPerSecond: 0 }).forWriteThroughput).toBe(3);
  });

  test('at least one shard for an idle workload', () => {
    expect(KinesisCapacity.shardsFor({ incomingMibPerSecond: 0, incomingRecordsPerSecond: 0, consumers: 0 }).shards).toBe(1);
  });

  test('bad inputs are rejected with the parameter, value and range', () => {
    expect(() => KinesisCapacity.shardsFor({ incomingMibPerSecond: -1, incomingRecordsPerSecond: 1 }))
      .toThrow('invalid incomingMibPerSecond: -1. Allowed: a number from 0 to');
    expect(() => KinesisCapacity.shardsFor({ incomingMibPerSecond: 1, incomingRecordsPerSecond: 1, consumers: 1.5 }))
      .toThrow('invalid consumers: 1.5. Allowed: a whole number from 0 to 10000.');
  });

  test("the notes' example: 5 standard consumers share 2 MiB/s -> 0.4 MiB/s each", () => {
    expect(KinesisCapacity.sharedReadMibPerConsumer(5)).toBeCloseTo(0.4);
  });
});
