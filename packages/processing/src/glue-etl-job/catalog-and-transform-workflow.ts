import { GlueLimits, Validate } from '@analytics-patterns/core';
import { Names, Stack } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { Construct, IConstruct } from 'constructs';
import { DataLakeEtlJob, IDataLakeEtlJob } from './data-lake-etl-job';
import { DataLakeCrawler, IDataLakeCrawler } from '../glue-crawler/data-lake-crawler';
import { glueSchedule } from '../glue-crawler/glue-schedule';

/** Suffixes of the trigger names, appended to the workflow name. */
const CRAWL_SUFFIX = '-crawl';
const TRANSFORM_SUFFIX = '-transform';

/** Props for {@link CatalogAndTransformWorkflow}. */
export interface CatalogAndTransformWorkflowProps {
  /** The crawler that the scheduled trigger starts (a `DataLakeCrawler` or any `IDataLakeCrawler`). It must have no schedule of its own. */
  readonly crawler: IDataLakeCrawler;
  /** The job that runs when the crawler SUCCEEDED (a `DataLakeEtlJob` or any `IDataLakeEtlJob`). */
  readonly job: IDataLakeEtlJob;
  /**
   * When the scheduled trigger starts the crawler, checked with Glue's rules: `cron(...)`
   * only, in UTC, at most every 5 minutes, e.g. `ScheduleExpression.cron({ minute: '0', hour: '2' })`.
   */
  readonly schedule: scheduler.ScheduleExpression;
  /**
   * Workflow name (1-245 characters on one line: the triggers are named `<name>-crawl` and
   * `<name>-transform`, within Glue's 255).
   * @default - generated from the construct path
   */
  readonly workflowName?: string;
  /**
   * Maximum concurrent runs of the whole workflow.
   * @default 1
   */
  readonly maxConcurrentRuns?: number;
}

/**
 * A Glue workflow exactly as the notes describe it (3.1): one trigger starts the
 * crawler on a schedule, a second, conditional trigger starts the ETL job after
 * the crawler completes successfully.
 *
 * ```
 * [SCHEDULED trigger: cron] --> crawler --(crawlState SUCCEEDED)--> [CONDITIONAL trigger] --> ETL job
 * ```
 * A failed or cancelled crawl does not start the job (it would read a stale catalog).
 * Both triggers are created started (`StartOnCreation`).
 *
 * @example
 * new CatalogAndTransformWorkflow(this, 'Nightly', { crawler, job, schedule: scheduler.ScheduleExpression.cron({ minute: '0', hour: '2' }) });
 */
export class CatalogAndTransformWorkflow extends Construct {
  /** Workflow name. */
  public readonly workflowName: string;
  /** The L1 workflow (aws-cdk-lib has no workflow L2). */
  public readonly workflow: glue.CfnWorkflow;
  /** Scheduled trigger that starts the crawler. */
  public readonly crawlerTrigger: glue.CfnTrigger;
  /** Conditional trigger that starts the job when the crawl SUCCEEDED. */
  public readonly jobTrigger: glue.CfnTrigger;

  constructor(scope: Construct, id: string, props: CatalogAndTransformWorkflowProps) {
    super(scope, id);
    const schedule = this.validate(props);
    const maxName = GlueLimits.RESOURCE_NAME.maxLength! - TRANSFORM_SUFFIX.length;
    this.workflowName = props.workflowName ?? Names.uniqueResourceName(this, { maxLength: maxName });
    this.workflow = new glue.CfnWorkflow(this, 'Workflow', {
      name: this.workflowName,
      description: `Crawl ${props.crawler.crawlerName} on ${schedule}, then run ${props.job.jobName} if the crawl succeeded`,
      maxConcurrentRuns: props.maxConcurrentRuns ?? 1,
    });
    this.crawlerTrigger = new glue.CfnTrigger(this, 'CrawlerTrigger', {
      name: `${this.workflowName}${CRAWL_SUFFIX}`,
      workflowName: this.workflowName,
      type: 'SCHEDULED',
      schedule,
      startOnCreation: true,
      actions: [{ crawlerName: props.crawler.crawlerName }],
    });
    this.jobTrigger = new glue.CfnTrigger(this, 'JobTrigger', {
      name: `${this.workflowName}${TRANSFORM_SUFFIX}`,
      workflowName: this.workflowName,
      type: 'CONDITIONAL',
      startOnCreation: true,
      predicate: {
        logical: 'ANY',
        conditions: [{ logicalOperator: 'EQUALS', crawlerName: props.crawler.crawlerName, crawlState: 'SUCCEEDED' }],
      },
      actions: [{ jobName: props.job.jobName }],
    });
    // names are plain strings: make the order explicit (on the crawler and job resources themselves when known)
    for (const trigger of [this.crawlerTrigger, this.jobTrigger]) {
      trigger.node.addDependency(this.workflow, resourceOf(props.crawler), resourceOf(props.job));
    }
  }

  /** ARN of the workflow. */
  public get workflowArn(): string {
    return Stack.of(this).formatArn({ service: 'glue', resource: 'workflow', resourceName: this.workflowName });
  }

  /** Checks the props; returns the Glue cron expression of the schedule. */
  private validate(props: CatalogAndTransformWorkflowProps): string {
    const schedule = glueSchedule(this, 'schedule', props.schedule)!;
    Validate.that(this, props.crawler.schedule === undefined, {
      prop: 'crawler',
      value: `${props.crawler.node.path} with schedule ${props.crawler.schedule?.expressionString}`,
      allowed: 'a crawler without its own schedule (the workflow\'s scheduled trigger starts it)',
    });
    const rule = GlueLimits.RESOURCE_NAME;
    Validate.resourceName(this, 'workflowName', props.workflowName, { ...rule, maxLength: rule.maxLength! - TRANSFORM_SUFFIX.length });
    Validate.number(this, props.maxConcurrentRuns, { prop: 'maxConcurrentRuns', ...GlueLimits.MAX_CONCURRENT_RUNS });
    return schedule;
  }
}

/** The Glue resource of this library's crawler or job; for another implementation, the construct (all its resources). */
function resourceOf(c: IDataLakeCrawler | IDataLakeEtlJob): IConstruct {
  if (c instanceof DataLakeCrawler) return c.crawler;
  if (c instanceof DataLakeEtlJob) return c.job;
  return c;
}
