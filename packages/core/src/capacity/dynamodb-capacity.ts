import { ceil, requireNumber } from './formula';

/** How an item is read; each costs a different share of a read capacity unit. */
export enum ReadConsistency {
  /** Eventually consistent: one RCU serves two reads/s of up to 4 KB. */
  EVENTUAL = 'EVENTUAL',
  /** Strongly consistent (`ConsistentRead: true`): one RCU per read/s of up to 4 KB. */
  STRONG = 'STRONG',
  /** Transactional (TransactGetItems): two RCUs per read/s of up to 4 KB. */
  TRANSACTIONAL = 'TRANSACTIONAL',
}

/** A DynamoDB write workload. */
export interface DynamoDbWriteWorkload {
  /** Item size in KB (1 KB = 1,024 bytes); at most 400 KB. */
  readonly itemSizeKb: number;
  /** Writes per second (divide a per-minute rate by 60). */
  readonly writesPerSecond: number;
  /**
   * Whether writes are transactional (TransactWriteItems costs two WCUs per KB).
   * @default false
   */
  readonly transactional?: boolean;
}

/** A DynamoDB read workload. */
export interface DynamoDbReadWorkload {
  /** Item size in KB (1 KB = 1,024 bytes); at most 400 KB. */
  readonly itemSizeKb: number;
  /** Reads per second. */
  readonly readsPerSecond: number;
  /**
   * Read consistency.
   * @default ReadConsistency.EVENTUAL (GetItem's default)
   */
  readonly consistency?: ReadConsistency;
}

/**
 * DynamoDB provisioned capacity (notes 2.3).
 *
 * One WCU is one write per second of an item up to 1 KB; larger items round
 * **up** to the next whole KB. One RCU is one strongly consistent read (or two
 * eventually consistent reads) per second of an item up to 4 KB; larger items
 * round **up** to the next multiple of 4 KB. The notes get two examples wrong
 * (6 writes/s of 4.5 KB is 30 WCU, not 27; 10 strong reads/s of 6 KB is 20 RCU,
 * not 10): both come from rounding the item size down instead of up.
 */
export class DynamoDbCapacity {
  /** Largest DynamoDB item, KB. */
  public static readonly MAX_ITEM_KB = 400;

  /** Write capacity units for a workload. */
  public static writeCapacityUnits(workload: DynamoDbWriteWorkload): number {
    requireNumber('itemSizeKb', workload.itemSizeKb, Number.MIN_VALUE, DynamoDbCapacity.MAX_ITEM_KB);
    requireNumber('writesPerSecond', workload.writesPerSecond, 0, Number.MAX_SAFE_INTEGER);
    const unitsPerWrite = ceil(workload.itemSizeKb / 1) * (workload.transactional ? 2 : 1);
    return ceil(workload.writesPerSecond * unitsPerWrite);
  }

  /** Read capacity units for a workload. */
  public static readCapacityUnits(workload: DynamoDbReadWorkload): number {
    requireNumber('itemSizeKb', workload.itemSizeKb, Number.MIN_VALUE, DynamoDbCapacity.MAX_ITEM_KB);
    requireNumber('readsPerSecond', workload.readsPerSecond, 0, Number.MAX_SAFE_INTEGER);
    const consistency = workload.consistency ?? ReadConsistency.EVENTUAL;
    const factor = consistency === ReadConsistency.EVENTUAL ? 0.5 : consistency === ReadConsistency.STRONG ? 1 : 2;
    const blocks = ceil(workload.itemSizeKb / 4);
    return ceil(workload.readsPerSecond * blocks * factor);
  }

  private constructor() {}
}
