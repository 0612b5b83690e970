/**
 * Kinesis Data Streams limits the producer respects (AWS's current documented values).
 *
 * The notes say "1 MB per record"; AWS counts the partition key towards it, and a stream's
 * maximum record size can now be raised to 10 MiB (UpdateMaxRecordSize) for occasional large
 * records, while shard throughput limits stay as they were.
 */
export class KinesisLimits {
  /**
   * Records in one PutRecords request.
   * @see https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecords.html
   */
  public static readonly MAX_RECORDS_PER_REQUEST = 500;

  /**
   * Bytes in one PutRecords request, data and partition keys together (on a stream whose
   * maximum record size was not raised).
   * @see https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecords.html
   */
  public static readonly MAX_BYTES_PER_REQUEST = 5 * 1024 * 1024;

  /**
   * One record: data blob plus partition key, by default.
   * @see https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecordsRequestEntry.html
   */
  public static readonly MAX_RECORD_BYTES = 1024 * 1024;

  /**
   * One record on a stream whose maximum record size was raised (MaxRecordSizeInKiB 1024-10240).
   * @see https://docs.aws.amazon.com/streams/latest/dev/large-records.html
   * @see https://docs.aws.amazon.com/kinesis/latest/APIReference/API_UpdateMaxRecordSize.html
   */
  public static readonly LARGE_RECORD_MAX_BYTES = 10 * 1024 * 1024;

  /**
   * Partition key length: AWS documents only "Unicode strings with a maximum length limit of 256
   * characters" (length constraints 1 to 256), not the unit. The producer counts UTF-16 code
   * units (the length of a Java or JavaScript string), as kinesalite does: the stricter, safe
   * reading, since a string never has more code points than code units (an emoji counts 2), so
   * every key it accepts is within 256 characters however the service counts them; a key of
   * 129 to 256 characters outside the Basic Multilingual Plane may be refused although the service
   * might accept it.
   * @see https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecordsRequestEntry.html
   */
  public static readonly MIN_PARTITION_KEY_LENGTH = 1;

  /** @see https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecordsRequestEntry.html */
  public static readonly MAX_PARTITION_KEY_LENGTH = 256;

  /**
   * ExplicitHashKey pattern `0|([1-9]\d{0,38})`: a decimal without leading zeros, and
   * (PutRecords) a value from 0 to 2^128 - 1.
   * @see https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecordsRequestEntry.html
   */
  public static readonly EXPLICIT_HASH_KEY_PATTERN = /^(0|[1-9]\d{0,38})$/;

  /** @see https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecords.html */
  public static readonly MAX_HASH_KEY = (1n << 128n) - 1n;

  /**
   * Writes per shard: 1,000 records/s and 1 MiB/s.
   * @see https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html
   */
  public static readonly SHARD_RECORDS_PER_SECOND = 1000;

  /** @see https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html */
  public static readonly SHARD_BYTES_PER_SECOND = 1024 * 1024;
}

/**
 * Length of a partition key in UTF-16 code units: the stricter reading of Kinesis's "256
 * characters" (>= the number of code points), mirroring kinesalite (see MAX_PARTITION_KEY_LENGTH).
 */
export function partitionKeyLength(key: string): number {
  return key.length;
}

/** Why `key` is not a valid partition key, or undefined if it is. */
export function partitionKeyProblem(key: string): string | undefined {
  const length = partitionKeyLength(key);
  if (length < KinesisLimits.MIN_PARTITION_KEY_LENGTH || length > KinesisLimits.MAX_PARTITION_KEY_LENGTH) {
    return `partition key must have ${KinesisLimits.MIN_PARTITION_KEY_LENGTH} to ${KinesisLimits.MAX_PARTITION_KEY_LENGTH} characters `
      + `counted in UTF-16 code units (the strict reading of Kinesis's limit; an emoji counts 2), has ${length}`;
  }
  return undefined;
}

/** Whether `key` is a valid explicit hash key (pattern `0|([1-9]\d{0,38})`, 0 to 2^128 - 1). */
export function isValidExplicitHashKey(key: string): boolean {
  if (!KinesisLimits.EXPLICIT_HASH_KEY_PATTERN.test(key)) return false;
  return BigInt(key) <= KinesisLimits.MAX_HASH_KEY;
}

/** Bytes Kinesis counts for a record: data plus the UTF-8 partition key. */
export function recordBytes(data: Uint8Array, partitionKey: string): number {
  return data.length + Buffer.byteLength(partitionKey, 'utf8');
}
