import { ceil, requireNumber } from './formula';

/** What an OpenSearch domain will hold. */
export interface SearchWorkload {
  /**
   * Source data kept at any time, GiB. For rolling indices: data per day x retention days
   * (AWS's example: 200 MiB/hour for two weeks is about 66 GiB).
   */
  readonly sourceDataGiB: number;
  /**
   * Replicas per primary shard (at least 1 to survive a node loss).
   * @default 1
   */
  readonly replicas?: number;
  /**
   * Room to grow, as a percentage of the source data.
   * @default 0
   */
  readonly growthPercent?: number;
  /**
   * Target primary shard size, GiB: 10-30 for search workloads, 30-50 for logs.
   * @default 30
   */
  readonly targetShardSizeGiB?: number;
}

/** Storage and shard figures for a search workload. */
export interface SearchEstimate {
  /** Minimum total storage, GiB. */
  readonly minimumStorageGiB: number;
  /** Storage per data node, GiB (for `dataNodes` nodes). */
  readonly storagePerNodeGiB: number;
  /** Primary shards per index set, rounded up to a multiple of the data node count. */
  readonly primaryShards: number;
}

/**
 * Amazon OpenSearch Service sizing (notes 4.2: "storage requirement, otherwise out of
 * disk space"), after AWS's documented formulas:
 *
 * minimum storage = source x (1 + replicas) x (1 + 10 % indexing overhead)
 *                   / (1 - 5 % Linux reserved) / (1 - 20 % OpenSearch Service overhead)
 *
 * primary shards  = (source + growth) x 1.1 / target shard size, rounded up to a
 *                   multiple of the data node count so shards spread evenly.
 */
export class SearchCapacity {
  /** Indexing overhead (index up to 10 % of the source). */
  public static readonly INDEXING_OVERHEAD = 0.1;
  /** Share of the file system Linux reserves for root. */
  public static readonly LINUX_RESERVED = 0.05;
  /** Share of each instance's storage OpenSearch Service reserves (worst case). */
  public static readonly SERVICE_OVERHEAD = 0.2;

  /** Storage and shards for a workload on `dataNodes` data nodes. */
  public static estimate(workload: SearchWorkload, dataNodes: number): SearchEstimate {
    const replicas = workload.replicas ?? 1;
    const growth = workload.growthPercent ?? 0;
    const shardSize = workload.targetShardSizeGiB ?? 30;
    requireNumber('sourceDataGiB', workload.sourceDataGiB, 0, 10_000_000);
    requireNumber('replicas', replicas, 0, 15, true);
    requireNumber('growthPercent', growth, 0, 1000);
    requireNumber('targetShardSizeGiB', shardSize, 1, 100);
    requireNumber('dataNodes', dataNodes, 1, 1000, true);
    const minimumStorageGiB = ceil(workload.sourceDataGiB * (1 + replicas) * (1 + SearchCapacity.INDEXING_OVERHEAD)
      / (1 - SearchCapacity.LINUX_RESERVED) / (1 - SearchCapacity.SERVICE_OVERHEAD));
    const rawShards = Math.max(1, ceil(workload.sourceDataGiB * (1 + growth / 100) * (1 + SearchCapacity.INDEXING_OVERHEAD) / shardSize));
    return {
      minimumStorageGiB,
      storagePerNodeGiB: ceil(minimumStorageGiB / dataNodes),
      primaryShards: ceil(rawShards / dataNodes) * dataNodes,
    };
  }

  private constructor() {}
}
