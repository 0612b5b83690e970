import { ceil, requireNumber } from './formula';

/**
 * A Kinesis data stream workload, as the notes (section 1.1) describe it.
 */
export interface KinesisWorkload {
  /** Data written to the stream, in MiB per second (peak). */
  readonly incomingMibPerSecond: number;
  /** Records written to the stream per second (peak). */
  readonly incomingRecordsPerSecond: number;
  /**
   * Number of consuming applications that each read the whole stream.
   * @default 1
   */
  readonly consumers?: number;
  /**
   * Data each consumer reads, in MiB per second.
   * @default - the incoming rate (every consumer reads everything)
   */
  readonly readMibPerSecondPerConsumer?: number;
  /**
   * Whether consumers use enhanced fan-out (dedicated 2 MiB/s per shard per consumer)
   * instead of sharing the shard's 2 MiB/s.
   * @default false
   */
  readonly enhancedFanOut?: boolean;
  /**
   * Extra capacity on top of the computed minimum, as a percentage (e.g. 20 for 20 %).
   * @default 0
   */
  readonly headroomPercent?: number;
}

/** Which per-shard limit decided the shard count. */
export enum ShardLimitingFactor {
  /** 1 MiB/s of writes per shard. */
  WRITE_THROUGHPUT = 'WRITE_THROUGHPUT',
  /** 1,000 records/s of writes per shard. */
  WRITE_RECORDS = 'WRITE_RECORDS',
  /** 2 MiB/s of reads per shard (shared, or per consumer with enhanced fan-out). */
  READ_THROUGHPUT = 'READ_THROUGHPUT',
}

/** The shard count computed for a workload, with each limit's own figure. */
export interface ShardEstimate {
  /** Shards to provision (the largest of the three figures, plus headroom; at least 1). */
  readonly shards: number;
  /** Shards needed for the write throughput (1 MiB/s per shard). */
  readonly forWriteThroughput: number;
  /** Shards needed for the write record rate (1,000 records/s per shard). */
  readonly forWriteRecords: number;
  /** Shards needed for the read throughput (2 MiB/s per shard, shared or per consumer). */
  readonly forReadThroughput: number;
  /** The limit that decided the count. */
  readonly limitingFactor: ShardLimitingFactor;
  /**
   * Whether enhanced fan-out is advisable: more shared-throughput consumers than the
   * 5 GetRecords calls per second per shard can serve at one poll per second each.
   */
  readonly enhancedFanOutAdvised: boolean;
}

/**
 * Kinesis Data Streams sizing (notes 1.1), with AWS's current per-shard limits:
 * writes 1 MiB/s and 1,000 records/s per shard; reads 2 MiB/s per shard shared by
 * all standard consumers (and 5 GetRecords calls/s), or 2 MiB/s per shard for each
 * enhanced fan-out consumer.
 */
export class KinesisCapacity {
  /** Write throughput per shard, MiB/s. */
  public static readonly WRITE_MIB_PER_SHARD = 1;
  /** Write records per second per shard. */
  public static readonly WRITE_RECORDS_PER_SHARD = 1000;
  /** Read throughput per shard (shared, or per enhanced fan-out consumer), MiB/s. */
  public static readonly READ_MIB_PER_SHARD = 2;
  /** GetRecords calls per second per shard, shared by standard consumers. */
  public static readonly READ_CALLS_PER_SECOND_PER_SHARD = 5;
  /** Largest record data blob (before base64), bytes: 1 MiB including the partition key. */
  public static readonly MAX_RECORD_BYTES = 1024 * 1024;

  /**
   * Shards needed for a workload:
   * `max(ceil(in MiB/s / 1), ceil(records/s / 1000), ceil(read MiB/s / 2))`, where read
   * MiB/s is the sum over consumers for standard consumers and the largest single
   * consumer for enhanced fan-out; then headroom is added and the result rounded up.
   */
  public static shardsFor(workload: KinesisWorkload): ShardEstimate {
    const consumers = workload.consumers ?? 1;
    const headroom = workload.headroomPercent ?? 0;
    const efo = workload.enhancedFanOut ?? false;
    requireNumber('incomingMibPerSecond', workload.incomingMibPerSecond, 0, Number.MAX_SAFE_INTEGER);
    requireNumber('incomingRecordsPerSecond', workload.incomingRecordsPerSecond, 0, Number.MAX_SAFE_INTEGER);
    requireNumber('consumers', consumers, 0, 10_000, true);
    requireNumber('headroomPercent', headroom, 0, 1000);
    const perConsumer = workload.readMibPerSecondPerConsumer ?? workload.incomingMibPerSecond;
    requireNumber('readMibPerSecondPerConsumer', perConsumer, 0, Number.MAX_SAFE_INTEGER);

    const forWriteThroughput = ceil(workload.incomingMibPerSecond / KinesisCapacity.WRITE_MIB_PER_SHARD);
    const forWriteRecords = ceil(workload.incomingRecordsPerSecond / KinesisCapacity.WRITE_RECORDS_PER_SHARD);
    const readDemand = consumers === 0 ? 0 : efo ? perConsumer : perConsumer * consumers;
    const forReadThroughput = ceil(readDemand / KinesisCapacity.READ_MIB_PER_SHARD);

    const base = Math.max(1, forWriteThroughput, forWriteRecords, forReadThroughput);
    const shards = ceil(base * (1 + headroom / 100));
    let limitingFactor = ShardLimitingFactor.WRITE_THROUGHPUT;
    if (forWriteRecords > forWriteThroughput) limitingFactor = ShardLimitingFactor.WRITE_RECORDS;
    if (forReadThroughput > Math.max(forWriteThroughput, forWriteRecords)) limitingFactor = ShardLimitingFactor.READ_THROUGHPUT;
    return {
      shards,
      forWriteThroughput,
      forWriteRecords,
      forReadThroughput,
      limitingFactor,
      enhancedFanOutAdvised: !efo && consumers > KinesisCapacity.READ_CALLS_PER_SECOND_PER_SHARD,
    };
  }

  /**
   * Read throughput each standard (shared) consumer gets per shard, MiB/s:
   * 2 MiB/s divided by the number of consumers (the notes' example: 5 consumers get 0.4 MiB/s each).
   */
  public static sharedReadMibPerConsumer(consumers: number): number {
    requireNumber('consumers', consumers, 1, 10_000, true);
    return KinesisCapacity.READ_MIB_PER_SHARD / consumers;
  }

  private constructor() {}
}
