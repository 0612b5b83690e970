/**
 * Kinesis Data Streams limits the producer respects (AWS's current documented values).
 *
 * - PutRecords: up to 500 records and 5 MiB per request (data and partition keys together).
 * - One record: data blob plus partition key up to 1 MiB (1,048,576 bytes) by default.
 *   The notes say "1 MB per record"; AWS counts the partition key towards it, and since
 *   2025 a stream's maximum record size can be raised to 10 MiB (UpdateMaxRecordSize,
 *   `MaxRecordSizeInKiB` 1024-10240) for occasional large records; shard throughput
 *   limits are unchanged.
 * - Partition key: 1 to 256 Unicode characters.
 * - Explicit hash key: a decimal number from 0 to 2^128 - 1.
 * - Per shard: 1,000 records/s and 1 MiB/s of writes.
 */
export const KinesisLimits = {
  MAX_RECORDS_PER_REQUEST: 500,
  MAX_BYTES_PER_REQUEST: 5 * 1024 * 1024,
  MAX_RECORD_BYTES: 1024 * 1024,
  LARGE_RECORD_MAX_BYTES: 10 * 1024 * 1024,
  MAX_PARTITION_KEY_CHARS: 256,
  MAX_HASH_KEY: (1n << 128n) - 1n,
  SHARD_RECORDS_PER_SECOND: 1000,
  SHARD_BYTES_PER_SECOND: 1024 * 1024,
} as const;

/** Whether `key` is a valid explicit hash key (decimal, 0 to 2^128 - 1). */
export function isValidExplicitHashKey(key: string): boolean {
  if (!/^\d{1,39}$/.test(key)) return false;
  return BigInt(key) <= KinesisLimits.MAX_HASH_KEY;
}

/** Bytes Kinesis counts for a record: data plus the UTF-8 partition key. */
export function recordBytes(data: Uint8Array, partitionKey: string): number {
  return data.length + Buffer.byteLength(partitionKey, 'utf8');
}
