import { KinesisClient, KinesisClientConfig } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/** Options of {@link createKinesisClient}. */
export interface ClientOptions {
  /** AWS region. @default - from the environment / shared config (standard chain) */
  readonly region?: string;
  /** Endpoint of a local Kinesis-compatible server (kinesalite), e.g. `http://127.0.0.1:4567`. */
  readonly endpoint?: string;
  /** SDK attempts per call (the producer retries partial failures itself). @default 3 */
  readonly maxAttempts?: number;
}

/**
 * A KinesisClient using the standard credential chain. With `endpoint` it talks HTTP/1.1
 * (the SDK's default HTTP/2 fails against kinesalite) and, if the chain has no
 * credentials configured, uses dummy ones (local servers do not check them).
 */
export function createKinesisClient(options: ClientOptions = {}): KinesisClient {
  const config: KinesisClientConfig = { region: options.region, maxAttempts: options.maxAttempts ?? 3 };
  if (options.endpoint) {
    return new KinesisClient({
      ...config,
      region: options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
      endpoint: options.endpoint,
      requestHandler: new NodeHttpHandler(),
      credentials: process.env.AWS_ACCESS_KEY_ID || process.env.AWS_PROFILE
        ? undefined
        : { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  }
  return new KinesisClient(config);
}
