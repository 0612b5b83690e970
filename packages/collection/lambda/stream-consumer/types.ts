/*
 * Public types of the stream consumer runtime (`@analytics-patterns/collection/runtime/stream-consumer`).
 * This file imports nothing, so its declarations ship as they are: a handler written against
 * them needs neither @types/aws-lambda nor the AWS SDK's types.
 */

/** One user record, after de-aggregation. */
export interface ConsumedRecord {
  /** The producer's record id (`idField` of a JSON object record), if any. */
  readonly id?: string;
  /** The record's bytes. */
  readonly data: Buffer;
  /** The parsed JSON body, when the data is JSON. */
  readonly body?: unknown;
  /** The user record's partition key. */
  readonly partitionKey: string;
  /** The user record's explicit hash key, when it was aggregated with one (a Lambda event does not carry a plain record's). */
  readonly explicitHashKey?: string;
  /** Sequence number of the Kinesis record that carried it. */
  readonly sequenceNumber: string;
  /** Position inside an aggregated Kinesis record (0 otherwise). */
  readonly subSequenceNumber: number;
  /** ARN of the stream (or enhanced fan-out consumer) the record came from. */
  readonly eventSourceArn: string;
}

/** Counters of one invocation (also logged). */
export interface BatchStats {
  kinesisRecords: number;
  userRecords: number;
  processed: number;
  duplicates: number;
  withoutId: number;
  failed: number;
}

/** The part of a DynamoDB client the seen-set uses (an `@aws-sdk/client-dynamodb` DynamoDBClient). */
export interface SeenSetClient {
  send(command: any): Promise<any>;
}

/** One Kinesis record of a Lambda event (the fields the handler reads). */
export interface KinesisBatchRecord {
  readonly kinesis: { readonly data: string; readonly partitionKey: string; readonly sequenceNumber: string };
  readonly eventSourceARN: string;
}

/** The event Lambda passes for a Kinesis event source mapping (the fields the handler reads). */
export interface KinesisBatchEvent {
  readonly Records: KinesisBatchRecord[];
}

/** The partial batch response: Lambda retries from the first failed item. */
export interface BatchItemFailures {
  batchItemFailures: Array<{ itemIdentifier: string }>;
}

/** Business logic for one user record. Throwing stops the batch at this record's Kinesis record. */
export type RecordProcessor = (record: ConsumedRecord) => Promise<void>;

/** A Lambda handler for a Kinesis event source with ReportBatchItemFailures. */
export type StreamHandler = (event: KinesisBatchEvent) => Promise<BatchItemFailures>;

/** Configuration of `createStreamHandler`. */
export interface StreamHandlerOptions {
  /** Business logic for one user record. */
  readonly process: RecordProcessor;
  /** DynamoDB client of the seen-set table (injectable for tests). */
  readonly client: SeenSetClient;
  /** Seen-set table: partition key `recordId` (S), TTL attribute `expiresAt`. */
  readonly tableName: string;
  /** How long an id is remembered. */
  readonly ttlSeconds: number;
  /** JSON field holding the record id. Default 'recordId'. */
  readonly idField?: string;
  /** Clock (tests). Default Date.now. */
  readonly now?: () => number;
  /** Called with the counters of each invocation. Default: one JSON log line. */
  readonly report?: (stats: BatchStats) => void;
}

/**
 * Overrides of `streamHandler`, which otherwise reads the StreamConsumer construct's
 * environment (`SEEN_TABLE_NAME`, `SEEN_TTL_SECONDS`, `ID_FIELD`) and creates a DynamoDB client.
 */
export interface StreamHandlerSettings {
  readonly client?: SeenSetClient;
  readonly tableName?: string;
  readonly ttlSeconds?: number;
  readonly idField?: string;
  readonly report?: (stats: BatchStats) => void;
}

/** Signature of `createStreamHandler`. */
export type CreateStreamHandler = (options: StreamHandlerOptions) => StreamHandler;

/** Signature of `streamHandler`. */
export type StreamHandlerFactory = (process: RecordProcessor, settings?: StreamHandlerSettings) => StreamHandler;
