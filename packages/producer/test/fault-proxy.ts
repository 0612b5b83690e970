import { createServer, IncomingMessage, request, Server, ServerResponse } from 'http';
import { AddressInfo, Socket } from 'net';

/**
 * How the proxy treats each request:
 * - `pass`: forwards it;
 * - `slow`: forwards it after `delayMs`, or paces calls so the server accepts `recordsPerSecond`
 *   records per second (one call at a time, each held for records / rate seconds);
 * - `hang`: reads the request and never answers;
 * - `drop`: closes the connection without an answer (`dropAfterForward`: after the server wrote the records);
 * - `refuse`: stops listening, so connections are refused;
 * - `error`: answers HTTP 500 InternalFailure;
 * - `throttle`: answers at once, writing at most `recordsPerSecond` records/s (a token bucket
 *   holding one second) and refusing the rest of a call's entries with
 *   ProvisionedThroughputExceededException, as a throttled shard does.
 */
export type FaultMode = 'pass' | 'slow' | 'hang' | 'drop' | 'refuse' | 'error' | 'throttle';

export interface FaultSettings {
  readonly mode: FaultMode;
  readonly delayMs?: number;
  readonly recordsPerSecond?: number;
  readonly dropAfterForward?: boolean;
}

/** A fault-injecting HTTP proxy in front of a local Kinesis server (kinesalite), in the test process. */
export class FaultProxy {
  public static async start(target: string, settings: FaultSettings = { mode: 'pass' }): Promise<FaultProxy> {
    const proxy = new FaultProxy(new URL(target), settings);
    await proxy.listen(0);
    return proxy;
  }

  /** Requests received (PutRecords and others). */
  public requests = 0;
  /** Records in the PutRecords requests received. */
  public recordsSeen = 0;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private port = 0;
  private listening = false;
  private paced: Promise<void> = Promise.resolve();
  private tokens = 0;
  private tokensAt = Date.now();

  private constructor(private readonly target: URL, private settings: FaultSettings) {
    this.server = createServer((req, res) => this.handle(req, res));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  public get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Changes the behaviour for the next requests (`refuse` closes the listener and every connection). */
  public async set(settings: FaultSettings): Promise<void> {
    this.settings = settings;
    if (settings.mode === 'refuse' && this.listening) {
      this.listening = false;
      await new Promise<void>((resolve) => {
        this.server.close(() => resolve());
        this.destroySockets();
      });
    } else if (settings.mode !== 'refuse' && !this.listening) {
      await this.listen(this.port);
    }
  }

  public async stop(): Promise<void> {
    this.destroySockets();
    if (!this.listening) return;
    this.listening = false;
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async listen(port: number): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    this.listening = true;
  }

  private destroySockets(): void {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      this.requests++;
      const body = Buffer.concat(chunks);
      const records = countRecords(req, body);
      this.recordsSeen += records;
      // the upstream may be gone (tests stopping): the client sees a dropped connection
      this.respond(req, res, body, records).catch(() => req.socket.destroy());
    });
  }

  private async respond(req: IncomingMessage, res: ServerResponse, body: Buffer, records: number): Promise<void> {
    const { mode, delayMs = 0, recordsPerSecond, dropAfterForward } = this.settings;
    if (mode === 'hang') return;
    if (mode === 'drop' && !dropAfterForward) {
      req.socket.destroy();
      return;
    }
    if (mode === 'error') {
      res.writeHead(500, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': 'InternalFailure' });
      res.end(JSON.stringify({ __type: 'InternalFailure', message: 'injected server error' }));
      return;
    }
    if (mode === 'throttle' && records > 0) {
      await this.throttle(req, res, body, recordsPerSecond ?? 100);
      return;
    }
    if (mode === 'slow' && recordsPerSecond) {
      if (!(await this.pace(req, records, recordsPerSecond))) return;
    } else if (mode === 'slow') {
      await sleep(delayMs);
    }
    const answer = await this.forward(req, body);
    if (mode === 'drop') {
      req.socket.destroy();
      return;
    }
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  }

  /** Writes the entries the token bucket allows, refuses the others (a suffix of the call). */
  private async throttle(req: IncomingMessage, res: ServerResponse, body: Buffer, rate: number): Promise<void> {
    const input = JSON.parse(body.toString('utf8'));
    const now = Date.now();
    this.tokens = Math.min(rate, this.tokens + ((now - this.tokensAt) / 1000) * rate);
    this.tokensAt = now;
    const accepted = Math.min(input.Records.length, Math.floor(this.tokens));
    this.tokens -= accepted;
    const refused = input.Records.slice(accepted).map(() => ({ ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded for shard (injected)' }));
    let output = { FailedRecordCount: 0, Records: [] as unknown[] };
    if (accepted > 0) {
      const forwarded = Buffer.from(JSON.stringify({ ...input, Records: input.Records.slice(0, accepted) }));
      req.headers['content-length'] = String(forwarded.length);
      const answer = await this.forward(req, forwarded);
      if (answer.status !== 200) {
        res.writeHead(answer.status, answer.headers);
        res.end(answer.body);
        return;
      }
      output = JSON.parse(answer.body.toString('utf8'));
    }
    const reply = Buffer.from(JSON.stringify({
      ...output, FailedRecordCount: output.FailedRecordCount + refused.length, Records: [...output.Records, ...refused],
    }));
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1', 'content-length': String(reply.length) });
    res.end(reply);
  }

  /**
   * Serves calls one after the other, each taking records / rate seconds, like a server that
   * writes `rate` records/s; a call whose client gave up (connection closed) while waiting is
   * skipped. Resolves false for a skipped call.
   */
  private pace(req: IncomingMessage, records: number, rate: number): Promise<boolean> {
    const turn = this.paced.then(async () => {
      if (req.socket.destroyed) return false;
      await sleep((records / rate) * 1000);
      return !req.socket.destroyed;
    });
    this.paced = turn.then(() => undefined);
    return turn;
  }

  private forward(req: IncomingMessage, body: Buffer): Promise<{ status: number; headers: Record<string, string | string[]>; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const upstream = request({
        host: this.target.hostname,
        port: this.target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: this.target.host },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: res.headers as Record<string, string | string[]>, body: Buffer.concat(chunks) }));
      });
      upstream.on('error', reject);
      upstream.end(body);
    });
  }
}

function countRecords(req: IncomingMessage, body: Buffer): number {
  if (!String(req.headers['x-amz-target'] ?? '').endsWith('.PutRecords')) return 0;
  try {
    return (JSON.parse(body.toString('utf8')).Records ?? []).length;
  } catch {
    return 0;
  }
}

// unref: a paced request must not keep the test process alive
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms).unref());
