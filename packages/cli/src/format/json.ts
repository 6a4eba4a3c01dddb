import { countBySeverity, type CheckReport } from '../report.js';

/** Bump when a field changes meaning or disappears; new fields may appear without a bump. */
export const jsonReportVersion = 1;

export interface ToolIdentity {
  readonly name: string;
  readonly version: string;
}

/**
 * The documented JSON shape (see README "JSON format"): every object carries every key, `null`
 * where a rule has no description or docs, so consumers never probe for missing keys.
 */
export function formatJson(report: CheckReport, tool: ToolIdentity): string {
  const { errors, warnings } = countBySeverity(report.findings);
  const document = {
    version: jsonReportVersion,
    tool,
    summary: {
      errors,
      warnings,
      suppressed: report.suppressed,
      filesChecked: report.filesChecked,
      typeChecked: report.typeChecked,
    },
    findings: report.findings.map((finding) => ({
      tool: finding.tool,
      ruleId: finding.ruleId,
      severity: finding.severity,
      file: finding.file,
      line: finding.line,
      column: finding.column,
      message: finding.message,
      hint: finding.hint,
    })),
    rules: report.rules.map((rule) => ({
      id: rule.id,
      tool: rule.tool,
      description: rule.description ?? null,
      helpUri: rule.helpUri ?? null,
    })),
  };
  return JSON.stringify(document, null, 2) + '\n';
}
