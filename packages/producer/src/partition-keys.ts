import { createHash, randomBytes, randomUUID } from 'crypto';
import { KinesisLimits } from './limits';

/** Where a record goes: its partition key and, optionally, an explicit hash key. */
export interface Routing {
  readonly partitionKey: string;
  readonly explicitHashKey?: string;
}

/**
 * How the producer picks a record's partition key (notes 1.1: the partition key decides
 * the shard; a hot key makes a hot shard).
 */
export abstract class PartitionKeys {
  /**
   * The value of a field of the record (dot path, e.g. `device.id`): records of one
   * key stay in order on one shard. Records without the field get a random key.
   */
  public static field(path: string): PartitionKeys {
    return new FieldKeys(path);
  }

  /** A random key per record: even spread over shards, no ordering between records. */
  public static random(): PartitionKeys {
    return new RandomKeys();
  }

  /**
   * Explicit hash keys: each record goes to the shard whose hash-key range holds the
   * value returned by `hashKey`, bypassing the MD5 of the partition key.
   */
  public static explicitHashKey(hashKey: (record: unknown, index: number) => string): PartitionKeys {
    return new ExplicitKeys(hashKey);
  }

  /**
   * Explicit hash keys that deal records round-robin over `shards` equal hash-key
   * ranges (the layout of a stream created with that many shards): exactly even spread.
   */
  public static roundRobin(shards: number): PartitionKeys {
    if (!Number.isInteger(shards) || shards < 1) throw new Error(`roundRobin: shards must be a positive integer, got ${shards}`);
    const width = (KinesisLimits.MAX_HASH_KEY + 1n) / BigInt(shards);
    const mids = Array.from({ length: shards }, (_, i) => (width * BigInt(i) + width / 2n).toString());
    return new ExplicitKeys((_record, index) => mids[index % shards]);
  }

  /** Whether records routed by this strategy need no order between them (so any of them may share an aggregate). */
  public get anyKeyOrder(): boolean {
    return false;
  }

  /** Routing for `record`, the `index`-th record put into the producer. */
  public abstract route(record: unknown, index: number): Routing;
}

class FieldKeys extends PartitionKeys {
  private readonly path: string[];
  constructor(path: string) {
    super();
    this.path = path.split('.');
  }
  public route(record: unknown): Routing {
    let value: any = record;
    for (const part of this.path) {
      value = value !== null && typeof value === 'object' ? value[part] : undefined;
    }
    if (value === undefined || value === null || value === '') return { partitionKey: randomUUID() };
    const key = String(value);
    // Kinesis allows 256 Unicode characters: longer keys are replaced by their digest
    return { partitionKey: [...key].length <= KinesisLimits.MAX_PARTITION_KEY_CHARS ? key : createHash('sha256').update(key).digest('hex') };
  }
}

class RandomKeys extends PartitionKeys {
  public get anyKeyOrder(): boolean {
    return true;
  }
  public route(): Routing {
    return { partitionKey: randomBytes(16).toString('hex') };
  }
}

class ExplicitKeys extends PartitionKeys {
  constructor(private readonly hashKey: (record: unknown, index: number) => string) {
    super();
  }
  public route(record: unknown, index: number): Routing {
    const explicitHashKey = this.hashKey(record, index);
    return { partitionKey: 'ehk', explicitHashKey };
  }
}

/** The 128-bit hash Kinesis computes from a partition key (MD5, as an unsigned integer). */
export function partitionKeyHash(partitionKey: string): bigint {
  return BigInt(`0x${createHash('md5').update(partitionKey, 'utf8').digest('hex')}`);
}
