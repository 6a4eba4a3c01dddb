import { pathToFileURL } from 'node:url';
import type { Log, ReportingDescriptor, Result } from 'sarif';
import type { CheckReport, Finding, FindingSeverity } from '../report.js';
import type { ToolIdentity } from './json.js';

const sarifSchema = 'https://json.schemastore.org/sarif-2.1.0.json';
const sourceRoot = '%SRCROOT%';

const levels: Record<FindingSeverity, Result.level> = { error: 'error', warn: 'warning', info: 'note' };

/**
 * SARIF 2.1.0 in one merged run (code scanning keeps one run per tool and category): every rule
 * with its helpUri, every result on a relative artifact uri under %SRCROOT% with its region.
 */
export function formatSarif(report: CheckReport, tool: ToolIdentity & { readonly informationUri: string }, cwd: string): string {
  const ruleIndex = new Map(report.rules.map((rule, index) => [rule.id, index]));
  const rules: ReportingDescriptor[] = report.rules.map((rule) => ({
    id: rule.id,
    ...(rule.description ? { shortDescription: { text: rule.description } } : {}),
    ...(rule.helpUri ? { helpUri: rule.helpUri } : {}),
    properties: { tags: [rule.tool] },
  }));
  const log: Log = {
    $schema: sarifSchema,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: tool.name, version: tool.version, informationUri: tool.informationUri, rules } },
        originalUriBaseIds: { [sourceRoot]: { uri: pathToFileURL(cwd).href.replace(/\/?$/, '/') } },
        columnKind: 'utf16CodeUnits',
        results: report.findings.map((finding) => toResult(finding, ruleIndex.get(finding.ruleId))),
      },
    ],
  };
  return JSON.stringify(log, null, 2) + '\n';
}

function toResult(finding: Finding, ruleIndex: number | undefined): Result {
  return {
    ruleId: finding.ruleId,
    ...(ruleIndex === undefined ? {} : { ruleIndex }),
    level: levels[finding.severity],
    message: { text: finding.message },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: encodeURI(finding.file), uriBaseId: sourceRoot },
          region: { startLine: finding.line, startColumn: finding.column },
        },
      },
    ],
    properties: { tool: finding.tool, ...(finding.hint ? { hint: finding.hint } : {}) },
  };
}
