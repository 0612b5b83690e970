import * as fs from 'fs';
import * as path from 'path';
import { NagPackName } from '@analytics-patterns/core';
import { App, IPolicyValidationPlugin, Stage, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { IConstruct } from 'constructs';

/** Every cdk-nag pack the library is checked against. */
export const ALL_NAG_PACKS: NagPackName[] = [
  NagPackName.AWS_SOLUTIONS, NagPackName.NIST_800_53_R5, NagPackName.HIPAA_SECURITY, NagPackName.PCI_DSS_321,
];

/** The cdk-nag 3 validation plugin of a pack. */
export function nagPlugin(app: App, pack: NagPackName): IPolicyValidationPlugin {
  switch (pack) {
    case NagPackName.AWS_SOLUTIONS: return new AwsSolutionsChecks(app);
    case NagPackName.NIST_800_53_R5: return new NIST80053R5Checks(app);
    case NagPackName.HIPAA_SECURITY: return new HIPAASecurityChecks(app);
    default: return new PCIDSS321Checks(app);
  }
}

/** One unacknowledged cdk-nag finding. */
export interface NagFinding {
  /** The pack that reported it, e.g. `NIST.800.53.R5`. */
  readonly pack: string;
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
  pluginName?: string;
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
    // force: an app already synthesized (e.g. by Template.fromStack) returns its cached
    // assembly without running the plugins added since, and nag would silently check nothing
    app.synth({ force: true });
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

const NAG_PLUGIN_NAMES = new Set<string>(ALL_NAG_PACKS);

/**
 * Runs cdk-nag packs (cdk-nag 3: CDK validation plugins; all four by default) over every
 * stack of `app` and returns what they found. The app must not have been synthesized yet.
 */
export function runNag(app: App, packs: NagPackName[] = ALL_NAG_PACKS): NagReport {
  Validations.of(app).addPlugins(...packs.map((p) => nagPlugin(app, p)));
  const report = synthValidationReport(app);
  if (!report) return { findings: [], acknowledged: [] };
  const findings: NagFinding[] = [];
  const acknowledged: NagAcknowledged[] = [];
  for (const plugin of report.pluginReports ?? []) {
    if (!NAG_PLUGIN_NAMES.has(plugin.pluginName)) continue;
    for (const v of (plugin.violations ?? []) as RawViolation[]) {
      for (const c of v.violatingConstructs) {
        findings.push({ pack: plugin.pluginName, rule: v.ruleName, path: c.constructPath, description: v.description, severity: v.severity ?? 'error' });
      }
    }
    for (const v of (plugin.suppressedViolations ?? []) as RawViolation[]) {
      for (const c of v.violatingConstructs) {
        acknowledged.push({
          pack: plugin.pluginName, rule: v.ruleName, path: c.constructPath, description: v.description, severity: v.severity ?? 'error', reason: v.reason ?? '',
        });
      }
    }
  }
  return { findings, acknowledged };
}

/**
 * Fails (throws) listing every unacknowledged finding (errors and warnings) of the four
 * packs (AwsSolutions, NIST 800-53 R5, HIPAA Security, PCI DSS 3.2.1) in `scope`'s app.
 * Returns the report so tests can also assert on the acknowledgements.
 */
export function expectNagClean(scope: IConstruct, packs: NagPackName[] = ALL_NAG_PACKS): NagReport {
  const report = runNag(appOf(scope), packs);
  if (report.findings.length > 0) {
    const lines = report.findings.map((f) => `  ${f.rule} (${f.severity}) at ${f.path}: ${f.description}`);
    throw new Error(`cdk-nag: ${report.findings.length} unacknowledged finding(s):\n${lines.join('\n')}`);
  }
  return report;
}

/**
 * The acknowledgements of a report as sorted, readable lines (`rule at path: reason`),
 * stable across runs, for a test that lists every acknowledgement of an app so that a
 * new one shows up in review.
 */
export function acknowledgementLines(report: NagReport, stripPrefix = ''): string[] {
  return [...new Set(report.acknowledged.map((a) => `${a.rule} at ${a.path.replace(stripPrefix, '')}: ${a.reason}`))].sort();
}

/** The acknowledgements a construct made itself (by the provenance of their reason), as sorted `rule path` lines. */
export function acknowledgementsBy(report: NagReport, construct: string): string[] {
  return [...new Set(report.acknowledged.filter((a) => a.reason.startsWith(`[${construct} at `)).map((a) => `${a.rule} ${a.path}`))].sort();
}
