/** How the producer treats a failed PutRecords entry or call. */
export type ErrorKind = 'retry' | 'fail' | 'fatal';

/** Entry error codes worth retrying (PutRecordsResultEntry.ErrorCode). */
const RETRYABLE_ENTRY_ERRORS = new Set(['ProvisionedThroughputExceededException', 'InternalFailure', 'KMSThrottlingException']);

/** Call errors (exception names) worth retrying. */
const RETRYABLE_CALL_ERRORS = new Set([
  'ProvisionedThroughputExceededException', 'LimitExceededException', 'InternalFailure', 'InternalFailureException',
  'KMSThrottlingException', 'ThrottlingException', 'ServiceUnavailable', 'ServiceUnavailableException', 'RequestTimeout',
  'RequestTimeoutException', 'TimeoutError', 'AbortError',
]);

/** Throttling, counted in the producer's `throttles`. */
export const THROTTLES = new Set(['ProvisionedThroughputExceededException', 'LimitExceededException', 'KMSThrottlingException', 'ThrottlingException']);

/** Socket-level failures: the request may not have reached the server, or its answer was lost. */
const NETWORK_ERROR_CODES = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH',
  'ENETUNREACH', 'ENETDOWN', 'EHOSTDOWN', 'ERR_STREAM_PREMATURE_CLOSE', 'UND_ERR_SOCKET',
]);

/** Errors that no retry can fix, whatever the record: the client's own configuration. */
const CONFIGURATION_ERRORS = new Set(['ConfigurationError', 'CredentialsProviderError', 'UnrecognizedClientException', 'InvalidSignatureException']);

/** What to do with an entry that PutRecords reported as failed. */
export function entryErrorKind(code: string): ErrorKind {
  return RETRYABLE_ENTRY_ERRORS.has(code) ? 'retry' : 'fail';
}

/**
 * What to do after a whole PutRecords call failed:
 * - `retry`: throttling, a 5xx, a timeout, or a network error (no HTTP answer);
 * - `fail`: another error the service answered (missing stream, access denied, validation):
 *   the call's records fail, later calls may still work;
 * - `fatal`: an error raised before any request was sent (no region, no credentials, an invalid
 *   endpoint URL) or refused credentials: every record would fail the same way, so all fail at once.
 */
export function callErrorKind(error: any): ErrorKind {
  const kind = ownKind(error);
  // the SDK wraps what it does not recognise as an Error (e.g. across realms) in "AWS SDK error wrapper for ..."
  if (kind === 'fatal' && error?.cause !== undefined && error.cause !== error) return callErrorKind(error.cause);
  if (kind === 'fatal' && NETWORK_MESSAGE.test(String(error?.message ?? ''))) return 'retry';
  return kind;
}

/** A network failure named in a message. */
const NETWORK_MESSAGE = new RegExp(`\\b(${[...NETWORK_ERROR_CODES].join('|')}|TimeoutError|AbortError)\\b|socket hang up`);

function ownKind(error: any): ErrorKind {
  const name: string | undefined = error?.name;
  if (name !== undefined && CONFIGURATION_ERRORS.has(name)) return 'fatal';
  if (name !== undefined && RETRYABLE_CALL_ERRORS.has(name)) return 'retry';
  if (error?.$retryable) return 'retry';
  const status: number | undefined = error?.$metadata?.httpStatusCode;
  if (status !== undefined) return status >= 500 ? 'retry' : 'fail';
  if (typeof error?.code === 'string' && NETWORK_ERROR_CODES.has(error.code)) return 'retry';
  return 'fatal';
}

/** Code and message of an error, for reports. */
export function describeError(error: any): { code: string; message: string } {
  const code: string = error?.name && error.name !== 'Error' ? error.name : error?.code ?? error?.name ?? 'Error';
  return { code, message: error?.message ?? String(error) };
}
