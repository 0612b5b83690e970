import { KinesisCapacity, KinesisWorkload, ShardEstimate } from '@analytics-patterns/core';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';

/**
 * How a Kinesis data stream gets its capacity (notes 1.1, "Capacity mode").
 *
 * - `onDemand()`: no shards to manage. A new on-demand stream starts at 4 MiB/s
 *   and 4,000 records/s of writes and scales to twice the peak of the last 30 days.
 * - `provisioned(shards)`: you pay per shard-hour; each shard takes 1 MiB/s or
 *   1,000 records/s in and serves 2 MiB/s out.
 * - `forWorkload(workload)`: provisioned, with the shard count computed from the
 *   workload by `KinesisCapacity.shardsFor` (the notes' formula, in core).
 */
export class StreamCapacity {
  /** On-demand capacity mode. */
  public static onDemand(): StreamCapacity {
    return new StreamCapacity(kinesis.StreamMode.ON_DEMAND);
  }

  /** Provisioned capacity mode with a fixed shard count. */
  public static provisioned(shards: number): StreamCapacity {
    return new StreamCapacity(kinesis.StreamMode.PROVISIONED, shards);
  }

  /** Provisioned capacity mode sized from a declared workload. */
  public static forWorkload(workload: KinesisWorkload): StreamCapacity {
    const estimate = KinesisCapacity.shardsFor(workload);
    return new StreamCapacity(kinesis.StreamMode.PROVISIONED, estimate.shards, estimate);
  }

  private constructor(
    /** The capacity mode. */
    public readonly mode: kinesis.StreamMode,
    /** The shard count (provisioned mode only). */
    public readonly shards?: number,
    /** The sizing figures, when sized from a workload. */
    public readonly estimate?: ShardEstimate,
  ) {}
}
