import * as fs from 'fs';
import * as path from 'path';
import { App, Stage, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';

/** One unacknowledged cdk-nag finding. */
export interface NagFinding {
  readonly rule: string;
  readonly path: string;
  readonly description: string;
  readonly severity: string;
}

/** One acknowledged finding, with the reason given. */
export interface NagAcknowledged extends NagFinding {
  readonly reason: string;
}

/** What cdk-nag reported for an app. */
export interface NagReport {
  readonly findings: NagFinding[];
  readonly acknowledged: NagAcknowledged[];
}

interface RawViolation {
  ruleName: string;
  description: string;
  severity?: string;
  violatingConstructs: Array<{ constructPath: string }>;
  reason?: string;
}

/** The App a construct belongs to (the construct itself if it is one). */
function appOf(scope: IConstruct): App {
  const app = App.isApp(scope) ? scope : Stage.of(scope);
  if (!app || !App.isApp(app)) throw new Error('a construct inside an App is needed');
  return app;
}

/**
 * Synthesizes `app` and returns its validation report (every validation plugin's
 * findings), or undefined when no plugin ran. A synthesis that fails only because of
 * validation findings is not an error here: the findings are in the report.
 */
function synthValidationReport(app: App): any | undefined {
  try {
    app.synth();
  } catch (e) {
    if (!/validation-report\.json/.test(String((e as Error).message))) throw e;
  }
  const reportFile = path.join(app.outdir, 'validation-report.json');
  return fs.existsSync(reportFile) ? JSON.parse(fs.readFileSync(reportFile, 'utf8')) : undefined;
}

/**
 * Synthesizes the app of `scope` (built with `testApp({ cfnValidation: true })`) and
 * returns every unacknowledged finding of aws-cdk-lib's built-in CloudFormation
 * validation, errors and warnings, as `rule: description at path` lines.
 */
export function cfnValidationFindings(scope: IConstruct): string[] {
  const report = synthValidationReport(appOf(scope));
  return (report?.pluginReports ?? [])
    .filter((p: any) => p.pluginName !== 'AwsSolutions')
    .flatMap((p: any) => ((p.violations ?? []) as RawViolation[]).flatMap((v) =>
      v.violatingConstructs.map((c) => `${v.ruleName}: ${v.description} at ${c.constructPath}`)));
}

/**
 * Runs cdk-nag's AwsSolutions pack (cdk-nag 3: a CDK validation plugin) over every
 * stack of `app` and returns what it found. The app must not have been synthesized yet.
 */
export function runNag(app: App): NagReport {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const report = synthValidationReport(app);
  if (!report) return { findings: [], acknowledged: [] };
  const findings: NagFinding[] = [];
  const acknowledged: NagAcknowledged[] = [];
  for (const plugin of report.pluginReports ?? []) {
    for (const v of (plugin.violations ?? []) as RawViolation[]) {
      for (const c of v.violatingConstructs) {
        findings.push({ rule: v.ruleName, path: c.constructPath, description: v.description, severity: v.severity ?? 'error' });
      }
    }
    for (const v of (plugin.suppressedViolations ?? []) as RawViolation[]) {
      for (const c of v.violatingConstructs) {
        acknowledged.push({ rule: v.ruleName, path: c.constructPath, description: v.description, severity: v.severity ?? 'error', reason: v.reason ?? '' });
      }
    }
  }
  return { findings, acknowledged };
}

/**
 * Fails (throws) listing every unacknowledged AwsSolutions finding of `scope`'s app.
 * Returns the report so tests can also assert on the acknowledgements.
 */
export function expectNagClean(scope: IConstruct): NagReport {
  const report = runNag(appOf(scope));
  if (report.findings.length > 0) {
    const lines = report.findings.map((f) => `  ${f.rule} at ${f.path}: ${f.description}`);
    throw new Error(`cdk-nag AwsSolutions: ${report.findings.length} unacknowledged finding(s):\n${lines.join('\n')}`);
  }
  return report;
}
