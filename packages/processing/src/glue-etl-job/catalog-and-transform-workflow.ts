import { Validate } from '@analytics-patterns/core';
import { Names, Stack } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import { Construct } from 'constructs';
import { DataLakeEtlJob } from './data-lake-etl-job';
import { DataLakeCrawler } from '../glue-crawler/data-lake-crawler';
import { validateGlueSchedule } from '../glue-crawler/glue-schedule';

/** Props for {@link CatalogAndTransformWorkflow}. */
export interface CatalogAndTransformWorkflowProps {
  /** The crawler that the scheduled trigger starts. It must have no schedule of its own. */
  readonly crawler: DataLakeCrawler;
  /** The job that runs when the crawler SUCCEEDED. */
  readonly job: DataLakeEtlJob;
  /** Glue cron expression (UTC) of the scheduled trigger, at most every 5 minutes, e.g. `cron(0 2 * * ? *)`. */
  readonly schedule: string;
  /**
   * Workflow name (1-255 characters).
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
 * new CatalogAndTransformWorkflow(this, 'Nightly', { crawler, job, schedule: 'cron(0 2 * * ? *)' });
 */
export class CatalogAndTransformWorkflow extends Construct {
  /** Workflow name. */
  public readonly workflowName: string;
  /** The L1 workflow. */
  public readonly workflow: glue.CfnWorkflow;
  /** Scheduled trigger that starts the crawler. */
  public readonly crawlerTrigger: glue.CfnTrigger;
  /** Conditional trigger that starts the job when the crawl SUCCEEDED. */
  public readonly jobTrigger: glue.CfnTrigger;

  constructor(scope: Construct, id: string, props: CatalogAndTransformWorkflowProps) {
    super(scope, id);
    validateGlueSchedule(this, 'schedule', props.schedule);
    Validate.that(this, props.crawler.schedule === undefined, {
      prop: 'crawler',
      value: `${props.crawler.node.path} with schedule ${props.crawler.schedule}`,
      allowed: 'a crawler without its own schedule (the workflow\'s scheduled trigger starts it)',
    });
    if (props.workflowName !== undefined) {
      Validate.pattern(this, 'workflowName', '^[^\\s].{0,254}$', '1-255 characters, not starting with a space', props.workflowName);
    }
    Validate.integer(this, 'maxConcurrentRuns', 1, 1000, props.maxConcurrentRuns);

    this.workflowName = props.workflowName ?? Names.uniqueResourceName(this, { maxLength: 255 });
    this.workflow = new glue.CfnWorkflow(this, 'Workflow', {
      name: this.workflowName,
      description: `Crawl ${props.crawler.crawlerName} on ${props.schedule}, then run ${props.job.jobName} if the crawl succeeded`,
      maxConcurrentRuns: props.maxConcurrentRuns ?? 1,
    });

    this.crawlerTrigger = new glue.CfnTrigger(this, 'CrawlerTrigger', {
      name: `${this.workflowName}-crawl`.slice(0, 255),
      workflowName: this.workflowName,
      type: 'SCHEDULED',
      schedule: props.schedule,
      startOnCreation: true,
      actions: [{ crawlerName: props.crawler.crawlerName }],
    });
    this.jobTrigger = new glue.CfnTrigger(this, 'JobTrigger', {
      name: `${this.workflowName}-transform`.slice(0, 255),
      workflowName: this.workflowName,
      type: 'CONDITIONAL',
      startOnCreation: true,
      predicate: {
        logical: 'ANY',
        conditions: [{ logicalOperator: 'EQUALS', crawlerName: props.crawler.crawlerName, crawlState: 'SUCCEEDED' }],
      },
      actions: [{ jobName: props.job.jobName }],
    });
    // names are plain strings: make the order explicit
    for (const trigger of [this.crawlerTrigger, this.jobTrigger]) {
      trigger.node.addDependency(this.workflow, props.crawler.crawler, props.job.job);
    }
  }

  /** ARN of the workflow. */
  public get workflowArn(): string {
    return Stack.of(this).formatArn({ service: 'glue', resource: 'workflow', resourceName: this.workflowName });
  }
}
