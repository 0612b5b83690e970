import { createHash } from 'crypto';
import * as protobuf from 'protobufjs/light';

/**
 * KPL aggregated-record format (Amazon Kinesis Producer Library, "aggregation-format.md"):
 *
 * ```
 * 4 magic bytes F3 89 9A C2 | protobuf AggregatedRecord | 16-byte MD5 of the protobuf bytes
 * ```
 *
 * Many small user records share one Kinesis record, so a shard's 1,000 records/s limit
 * no longer caps small-record throughput (the 1 MiB/s limit still applies). Consumers
 * built on the KCL, Lambda handlers using this module, or `aws-kinesis-agg` de-aggregate it.
 */
export const KPL_MAGIC = Uint8Array.from([0xf3, 0x89, 0x9a, 0xc2]);
const DIGEST_BYTES = 16;

// proto2 schema, field numbers as documented by the KPL
const root = protobuf.Root.fromJSON({
  nested: {
    AggregatedRecord: {
      fields: {
        partitionKeyTable: { rule: 'repeated', type: 'string', id: 1 },
        explicitHashKeyTable: { rule: 'repeated', type: 'string', id: 2 },
        records: { rule: 'repeated', type: 'Record', id: 3 },
      },
    },
    Tag: {
      fields: {
        key: { rule: 'required', type: 'string', id: 1 },
        value: { type: 'string', id: 2 },
      },
    },
    Record: {
      fields: {
        partitionKeyIndex: { rule: 'required', type: 'uint64', id: 1 },
        explicitHashKeyIndex: { type: 'uint64', id: 2 },
        data: { rule: 'required', type: 'bytes', id: 3 },
        tags: { rule: 'repeated', type: 'Tag', id: 4 },
      },
    },
  },
});
const AggregatedRecordType = root.lookupType('AggregatedRecord');

/** A user record inside (or outside) an aggregated Kinesis record. */
export interface AggregatableRecord {
  readonly data: Uint8Array;
  readonly partitionKey: string;
  readonly explicitHashKey?: string;
}

/** A user record recovered by {@link deaggregate}. */
export interface DeaggregatedRecord extends AggregatableRecord {
  /** Position of the user record inside its Kinesis record (0 when not aggregated). */
  readonly subSequenceNumber: number;
  /** Whether the Kinesis record was a KPL aggregate. */
  readonly aggregated: boolean;
}

/** The Kinesis record that carries an aggregate. */
export interface EncodedAggregate {
  /** Partition key of the Kinesis record: the first user record's. */
  readonly partitionKey: string;
  /** Explicit hash key of the Kinesis record: the first user record's, if it had one. */
  readonly explicitHashKey?: string;
  /** Magic, protobuf message and MD5 digest. */
  readonly data: Buffer;
}

function varintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 0x80);
    size++;
  }
  return size;
}

/** Size of a length-delimited field (1-byte tag, as every field number here is below 16). */
function fieldSize(length: number): number {
  return 1 + varintSize(length) + length;
}

/**
 * Builds one KPL aggregated record, tracking its exact encoded size so callers can
 * stop before the 1 MiB record limit.
 */
export class Aggregator {
  private readonly partitionKeys: string[] = [];
  private readonly partitionKeyIndex = new Map<string, number>();
  private readonly hashKeys: string[] = [];
  private readonly hashKeyIndex = new Map<string, number>();
  private readonly records: Array<{ partitionKeyIndex: number; explicitHashKeyIndex?: number; data: Uint8Array }> = [];
  private messageBytes = 0;

  /** Number of user records added. */
  public get count(): number {
    return this.records.length;
  }

  /** Partition key the Kinesis record will carry (the first user record's). */
  public get partitionKey(): string | undefined {
    return this.partitionKeys[0];
  }

  /** Bytes Kinesis will count for the aggregated record: magic + message + digest + partition key. */
  public get kinesisBytes(): number {
    return this.count === 0 ? 0 : this.bytesWith(this.messageBytes, this.partitionKeys[0]);
  }

  /** Kinesis bytes the aggregate would have with `record` added. */
  public kinesisBytesWith(record: AggregatableRecord): number {
    return this.bytesWith(this.messageBytes + this.growth(record), this.partitionKeys[0] ?? record.partitionKey);
  }

  /** Adds a user record. */
  public add(record: AggregatableRecord): void {
    this.messageBytes += this.growth(record);
    let pk = this.partitionKeyIndex.get(record.partitionKey);
    if (pk === undefined) {
      pk = this.partitionKeys.push(record.partitionKey) - 1;
      this.partitionKeyIndex.set(record.partitionKey, pk);
    }
    let ehk: number | undefined;
    if (record.explicitHashKey !== undefined) {
      ehk = this.hashKeyIndex.get(record.explicitHashKey);
      if (ehk === undefined) {
        ehk = this.hashKeys.push(record.explicitHashKey) - 1;
        this.hashKeyIndex.set(record.explicitHashKey, ehk);
      }
    }
    this.records.push({ partitionKeyIndex: pk, explicitHashKeyIndex: ehk, data: record.data });
  }

  /** Encodes the aggregate. */
  public encode(): EncodedAggregate {
    if (this.count === 0) throw new Error('cannot encode an empty aggregate');
    const message = AggregatedRecordType.encode(AggregatedRecordType.fromObject({
      partitionKeyTable: this.partitionKeys,
      explicitHashKeyTable: this.hashKeys,
      records: this.records,
    })).finish();
    const digest = createHash('md5').update(message).digest();
    const first = this.records[0];
    return {
      partitionKey: this.partitionKeys[0],
      explicitHashKey: first.explicitHashKeyIndex === undefined ? undefined : this.hashKeys[first.explicitHashKeyIndex],
      data: Buffer.concat([KPL_MAGIC, message, digest]),
    };
  }

  private bytesWith(messageBytes: number, partitionKey: string): number {
    return KPL_MAGIC.length + messageBytes + DIGEST_BYTES + Buffer.byteLength(partitionKey, 'utf8');
  }

  /** Protobuf bytes that adding `record` costs (new table entries plus the Record message). */
  private growth(record: AggregatableRecord): number {
    let bytes = 0;
    let pkIndex = this.partitionKeyIndex.get(record.partitionKey);
    if (pkIndex === undefined) {
      pkIndex = this.partitionKeys.length;
      bytes += fieldSize(Buffer.byteLength(record.partitionKey, 'utf8'));
    }
    let inner = 1 + varintSize(pkIndex) + fieldSize(record.data.length);
    if (record.explicitHashKey !== undefined) {
      let ehkIndex = this.hashKeyIndex.get(record.explicitHashKey);
      if (ehkIndex === undefined) {
        ehkIndex = this.hashKeys.length;
        bytes += fieldSize(Buffer.byteLength(record.explicitHashKey, 'utf8'));
      }
      inner += 1 + varintSize(ehkIndex);
    }
    return bytes + fieldSize(inner);
  }
}

/** Whether `data` starts with the KPL magic bytes. */
export function isAggregated(data: Uint8Array): boolean {
  if (data.length < KPL_MAGIC.length + DIGEST_BYTES) return false;
  for (let i = 0; i < KPL_MAGIC.length; i++) {
    if (data[i] !== KPL_MAGIC[i]) return false;
  }
  return true;
}

function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (value && typeof (value as { toNumber?: unknown }).toNumber === 'function') return (value as { toNumber(): number }).toNumber();
  return Number(value);
}

/**
 * Splits a Kinesis record into its user records. A record without the magic bytes,
 * or whose digest does not match (as the KCL does), is returned as one user record.
 */
export function deaggregate(data: Uint8Array, partitionKey: string, explicitHashKey?: string): DeaggregatedRecord[] {
  const single = [{ data, partitionKey, explicitHashKey, subSequenceNumber: 0, aggregated: false }];
  if (!isAggregated(data)) return single;
  const message = data.subarray(KPL_MAGIC.length, data.length - DIGEST_BYTES);
  const digest = createHash('md5').update(message).digest();
  if (!digest.equals(data.subarray(data.length - DIGEST_BYTES))) return single;
  let decoded: any;
  try {
    decoded = AggregatedRecordType.decode(message);
  } catch {
    return single;
  }
  const pks: string[] = decoded.partitionKeyTable ?? [];
  const ehks: string[] = decoded.explicitHashKeyTable ?? [];
  return (decoded.records ?? []).map((r: any, i: number) => {
    const pkIndex = toNumber(r.partitionKeyIndex);
    const hasEhk = r.explicitHashKeyIndex !== undefined && r.explicitHashKeyIndex !== null &&
      Object.prototype.hasOwnProperty.call(r, 'explicitHashKeyIndex');
    const record: DeaggregatedRecord = {
      data: r.data,
      partitionKey: pks[pkIndex],
      explicitHashKey: hasEhk ? ehks[toNumber(r.explicitHashKeyIndex)] : undefined,
      subSequenceNumber: i,
      aggregated: true,
    };
    if (record.partitionKey === undefined) throw new Error(`aggregated record ${i} refers to partition key ${pkIndex}, which is not in the table`);
    return record;
  });
}
