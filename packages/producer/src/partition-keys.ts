import { createHash, randomBytes, randomUUID } from 'crypto';
import { KinesisLimits, partitionKeyLength } from './limits';

/** Where a record goes: its partition key and, optionally, an explicit hash key. */
export interface Routing {
  readonly partitionKey: string;
  readonly explicitHashKey?: string;
}

/**
 * Thrown by a strategy that cannot route a record (e.g. the key field is missing): the
 * producer fails that record alone with `code` and `message`.
 */
export class RoutingError extends Error {
  constructor(public readonly code: string, message: string) {
    super(message);
    this.name = 'RoutingError';
  }
}

/** What {@link PartitionKeys.field} does with a record whose key is missing or unusable. */
export interface FieldKeyOptions {
  /**
   * A record without the field (or with `null` or an empty string): `'fail'` reports it as
   * failed with `MissingPartitionKey`; `'random'` sends it with a random UUID key (no order
   * with any other record). @default 'fail'
   */
  readonly ifMissing?: 'fail' | 'random';
  /**
   * A value longer than 256 UTF-16 code units (the strict reading of Kinesis's 256 characters,
   * see `KinesisLimits.MAX_PARTITION_KEY_LENGTH`): `'fail'` reports the record as
   * failed with `PartitionKeyTooLong`; `'hash'` uses the SHA-256 hex digest of the value
   * (64 characters: records with the same long value still share a key). @default 'fail'
   */
  readonly ifTooLong?: 'fail' | 'hash';
}

/**
 * How the producer picks a record's partition key (notes 1.1: the partition key decides
 * the shard; a hot key makes a hot shard).
 */
export abstract class PartitionKeys {
  /**
   * The value of a field of the record (dot path, e.g. `device.id`): records of one
   * key stay in order on one shard. A record without the field, or whose value is longer
   * than 256 UTF-16 code units, fails unless `options` says otherwise.
   */
  public static field(path: string, options: FieldKeyOptions = {}): PartitionKeys {
    return new FieldKeys(path, options);
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
  constructor(private readonly pathText: string, private readonly options: FieldKeyOptions) {
    super();
    if (pathText === '' || pathText.split('.').some((p) => p === '')) throw new Error(`PartitionKeys.field: invalid field path '${pathText}'`);
    this.path = pathText.split('.');
  }
  public route(record: unknown): Routing {
    let value: any = record;
    for (const part of this.path) {
      value = value !== null && typeof value === 'object' ? value[part] : undefined;
    }
    if (value === undefined || value === null || value === '') {
      if (this.options.ifMissing === 'random') return { partitionKey: randomUUID() };
      throw new RoutingError('MissingPartitionKey', `the record has no value at '${this.pathText}' to use as its partition key`);
    }
    const key = typeof value === 'object' ? JSON.stringify(value) : String(value);
    const length = partitionKeyLength(key);
    if (length <= KinesisLimits.MAX_PARTITION_KEY_LENGTH) return { partitionKey: key };
    if (this.options.ifTooLong === 'hash') return { partitionKey: createHash('sha256').update(key).digest('hex') };
    throw new RoutingError('PartitionKeyTooLong',
      `the value at '${this.pathText}' has ${length} UTF-16 code units; a partition key allows ${KinesisLimits.MAX_PARTITION_KEY_LENGTH}`);
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
