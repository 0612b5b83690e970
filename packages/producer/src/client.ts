import { Agent as HttpAgent } from 'http';
import { Agent as HttpsAgent } from 'https';
import { KinesisClient, KinesisClientConfig } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/** Options of {@link createKinesisClient}. */
export interface ClientOptions {
  /** AWS region. @default - from the environment / shared config (standard chain) */
  readonly region?: string;
  /** Endpoint of a local Kinesis-compatible server (kinesalite), e.g. `http://127.0.0.1:4567`. */
  readonly endpoint?: string;
  /**
   * SDK attempts per call. The producer retries failed calls and entries itself, within each
   * record's TTL, so one SDK attempt per call keeps its accounting exact. @default 1
   */
  readonly maxAttempts?: number;
  /** A request with no answer for this long fails with a TimeoutError. @default 10000 ms */
  readonly requestTimeoutMs?: number;
  /** A connection not established within this time fails. @default 3000 ms */
  readonly connectionTimeoutMs?: number;
  /** Sockets kept open to the endpoint (at least the producer's `maxInFlight`). @default 50 */
  readonly maxSockets?: number;
}

/** A configuration the SDK cannot work with (no region, no credentials, a bad endpoint URL). */
export class ConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigurationError';
  }
}

/** The endpoint URL, checked: http or https with a host. */
export function parseEndpoint(endpoint: string): URL {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new ConfigurationError(`endpoint '${endpoint}' is not a URL (expected e.g. http://127.0.0.1:4567)`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
    throw new ConfigurationError(`endpoint '${endpoint}' must be an http:// or https:// URL with a host`);
  }
  return url;
}

/**
 * A KinesisClient using the standard credential chain, over HTTP/1.1 with keep-alive (the
 * SDK's default HTTP/2 fails against kinesalite) and with request and connection timeouts,
 * so a server that never answers cannot hold a call forever. With `endpoint` and no
 * credentials configured, dummy credentials are used (local servers do not check them).
 * Throws {@link ConfigurationError} for an invalid endpoint URL.
 */
export function createKinesisClient(options: ClientOptions = {}): KinesisClient {
  const maxSockets = options.maxSockets ?? 50;
  const requestHandler = new NodeHttpHandler({
    requestTimeout: options.requestTimeoutMs ?? 10_000,
    connectionTimeout: options.connectionTimeoutMs ?? 3_000,
    // without it, the handler only logs a warning when requestTimeout passes
    throwOnRequestTimeout: true,
    httpAgent: new HttpAgent({ keepAlive: true, maxSockets }),
    httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets }),
  });
  const config: KinesisClientConfig = { region: options.region, maxAttempts: options.maxAttempts ?? 1, requestHandler };
  if (options.endpoint === undefined) return new KinesisClient(config);
  parseEndpoint(options.endpoint);
  return new KinesisClient({
    ...config,
    region: options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
    endpoint: options.endpoint,
    credentials: process.env.AWS_ACCESS_KEY_ID || process.env.AWS_PROFILE
      ? undefined
      : { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ConfigurationError(`${what}: no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Resolves the client's region and credentials once, so that a missing region or missing
 * credentials fail at once with a clear {@link ConfigurationError} instead of on every call.
 */
export async function checkClientConfiguration(client: KinesisClient, timeoutMs = 10_000): Promise<void> {
  let region: string | undefined;
  try {
    region = await within(timeoutMs, 'resolving the AWS region', client.config.region());
  } catch (e) {
    throw new ConfigurationError(`no AWS region: give --region or set AWS_REGION (${(e as Error).message})`);
  }
  if (!region) throw new ConfigurationError('no AWS region: give --region or set AWS_REGION');
  try {
    await within(timeoutMs, 'resolving AWS credentials', client.config.credentials());
  } catch (e) {
    throw new ConfigurationError(`no AWS credentials: configure the standard chain (environment, profile, SSO, role) (${(e as Error).message})`);
  }
}
