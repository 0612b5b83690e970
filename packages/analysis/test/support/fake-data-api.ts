import { FakeS3 } from './fake-s3';
import { Database, Isolation, Session } from './postgres';
import { TaskError } from './sfn-executor';

/**
 * Maps each statement the state machine sends (Redshift dialect, placeholders rendered) to the
 * PostgreSQL statement at the same position with the same values. A statement that comes from
 * no template is refused, so the two dialects must keep the same statements in the same order.
 */
export class DialectBridge {
  private readonly pairs: Array<{ pattern: RegExp; pg: string }>;

  constructor(redshift: string[], postgres: string[]) {
    if (redshift.length !== postgres.length) throw new Error(`dialects differ in length: ${redshift.length} vs ${postgres.length}`);
    this.pairs = redshift.map((r, i) => ({ pattern: templatePattern(r), pg: postgres[i] }));
  }

  public translate(sql: string): string {
    for (const { pattern, pg } of this.pairs) {
      const m = pattern.exec(sql);
      if (m) return pg.replace(/\{\{([a-z_]+)\}\}/g, (_, name) => m.groups![name]);
    }
    throw new Error(`statement from no template: ${sql.slice(0, 200)}`);
  }
}

function templatePattern(template: string): RegExp {
  const seen = new Set<string>();
  const parts = template.split(/(\{\{[a-z_]+\}\})/).map((part) => {
    const m = /^\{\{([a-z_]+)\}\}$/.exec(part);
    if (!m) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    if (seen.has(m[1])) return `\\k<${m[1]}>`;
    seen.add(m[1]);
    return `(?<${m[1]}>[^' ]*)`;
  });
  return new RegExp(`^${parts.join('')}$`);
}

interface Statement {
  readonly id: string;
  status: 'STARTED' | 'FINISHED' | 'FAILED' | 'ABORTED';
  error: string;
  session?: Session;
  cancelled: boolean;
  /** CancelStatement calls received. */
  cancelCalls: number;
  /** DescribeStatement calls answered. */
  describeCalls: number;
  readonly done: Promise<void>;
  readonly sqls: string[];
}

/** Faults a test can inject into the fake Data API. */
export interface DataApiFaults {
  /** BatchExecuteStatement calls (1-based) that submit the batch and then fail with InternalServerException. */
  failAfterSubmit?: number[];
  /** DescribeStatement always fails with this error (after the batch was submitted). */
  describeError?: string;
  /** Statements (1-based) that `describeError` applies to (default: all). */
  describeErrorStatements?: number[];
  /** Batches (1-based) that never finish on their own (they hold their session open until cancelled). */
  hang?: number[];
  /** Statements (1-based) that report STARTED to their first N DescribeStatement calls, whatever their state (slow statements). */
  startedPolls?: Record<number, number>;
  /**
   * Statements (1-based) that run and commit normally but report STARTED to every DescribeStatement until a
   * CancelStatement arrives (which then fails: the statement already finished): the commit beat the cancel.
   */
  commitBeatsCancel?: number[];
  /** DescribeStatement of a statement that was sent CancelStatement fails with this error (its final status is unreadable). */
  describeErrorAfterCancel?: string;
  /** Statements (1-based) that fail at once with this Redshift error instead of running. */
  failWith?: Record<number, string>;
}

/**
 * The Redshift Data API over a real PostgreSQL database: BatchExecuteStatement runs the batch in
 * a new session (one transaction) in the background; DescribeStatement reports its status;
 * CancelStatement cancels the backend. ClientToken makes a retried call return the first batch.
 */
export class FakeDataApi {
  public readonly statements: Statement[] = [];
  public batchCalls = 0;
  public readonly faults: DataApiFaults = {};
  private readonly byToken = new Map<string, Statement>();

  constructor(private readonly db: Database, private readonly s3: FakeS3, private readonly bridge: DialectBridge, private readonly isolation: Isolation = 'REPEATABLE READ') {}

  public handlers(): Record<string, (args: any) => unknown> {
    return {
      'redshiftdata:batchExecuteStatement': (args) => this.batch(args),
      'redshiftdata:describeStatement': (args) => this.describe(args),
      'redshiftdata:cancelStatement': (args) => this.cancel(args),
    };
  }

  /** Waits until every statement that is not hanging has ended (or `ms` passed). */
  public async settle(ms = 10_000): Promise<void> {
    const pending = this.statements.filter((s) => s.status === 'STARTED' && !this.hangs(s)).map((s) => s.done);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(pending), new Promise((r) => { timer = setTimeout(r, ms); })]);
    clearTimeout(timer);
  }

  public async close(): Promise<void> {
    for (const s of this.statements) if (s.status === 'STARTED') await this.cancel({ Id: s.id });
    await Promise.all(this.statements.map((s) => s.done));
  }

  private hangs(s: Statement): boolean {
    return (this.faults.hang ?? []).includes(this.statements.indexOf(s) + 1);
  }

  private async batch(args: any): Promise<unknown> {
    const call = ++this.batchCalls;
    if (args.ClientToken && this.byToken.has(args.ClientToken)) return { Id: this.byToken.get(args.ClientToken)!.id };
    const sqls: string[] = args.Sqls.map((s: string) => this.bridge.translate(s));
    const st = this.start(sqls);
    if (args.ClientToken) this.byToken.set(args.ClientToken, st);
    if ((this.faults.failAfterSubmit ?? []).includes(call)) throw new TaskError('RedshiftData.InternalServerException', 'Internal server error (the batch was submitted)');
    return { Id: st.id };
  }

  private start(sqls: string[]): Statement {
    const id = `stmt-${this.statements.length + 1}`;
    const st: Statement = { id, status: 'STARTED', error: '', cancelled: false, cancelCalls: 0, describeCalls: 0, sqls, done: undefined as any };
    this.statements.push(st);
    const failure = this.faults.failWith?.[this.statements.length];
    if (failure !== undefined) {
      Object.assign(st, { status: 'FAILED', error: failure, done: Promise.resolve() });
      return st;
    }
    const hang = this.hangs(st);
    (st as any).done = (async () => {
      const session = await this.db.session();
      st.session = session;
      try {
        await session.batch(hang ? ['SELECT pg_sleep(600)', ...sqls] : sqls, { isolation: this.isolation, s3: this.s3 });
        st.status = 'FINISHED';
      } catch (e: any) {
        st.status = st.cancelled ? 'ABORTED' : 'FAILED';
        st.error = `ERROR: ${e?.message ?? e}`;
      } finally {
        await session.close();
      }
    })();
    return st;
  }

  private find(id: string): Statement {
    const st = this.statements.find((s) => s.id === id);
    if (!st) throw new TaskError('RedshiftData.ResourceNotFoundException', `no statement ${id}`);
    return st;
  }

  private describe(args: any): unknown {
    const st = this.find(args.Id);
    const n = this.statements.indexOf(st) + 1;
    const f = this.faults;
    if (f.describeError && (f.describeErrorStatements ?? [n]).includes(n)) throw new TaskError(f.describeError, 'injected DescribeStatement failure');
    if (f.describeErrorAfterCancel && st.cancelCalls > 0) throw new TaskError(f.describeErrorAfterCancel, 'injected DescribeStatement failure after CancelStatement');
    st.describeCalls++;
    const slow = st.describeCalls <= (f.startedPolls?.[n] ?? 0) || ((f.commitBeatsCancel ?? []).includes(n) && st.cancelCalls === 0);
    if (slow) return { Id: st.id, Status: 'STARTED' };
    return { Id: st.id, Status: st.status, ...(st.error ? { Error: st.error } : {}) };
  }

  private async cancel(args: any): Promise<unknown> {
    const st = this.find(args.Id);
    st.cancelCalls++;
    if (st.status !== 'STARTED') throw new TaskError('RedshiftData.ValidationException', `statement ${st.id} is ${st.status}`);
    st.cancelled = true;
    while (!st.session) await new Promise((r) => setTimeout(r, 10));
    await this.db.query(`SELECT pg_cancel_backend(${st.session.pid})`);
    await st.done;
    return { Status: true };
  }
}
