import { countBySeverity, type CheckReport, type Finding } from '../report.js';
import type { Styles } from './ansi.js';

/** Human-readable report, grouped by file: position, severity, message, rule, and the fix hint below it. */
export function formatPretty(report: CheckReport, styles: Styles): string {
  const lines: string[] = [];
  for (const [file, findings] of groupByFile(report.findings)) {
    lines.push(styles.underline(file));
    const positionWidth = Math.max(...findings.map((finding) => positionOf(finding).length));
    for (const finding of findings) {
      const position = positionOf(finding).padEnd(positionWidth);
      const severity = finding.severity === 'error' ? styles.red('error') : styles.yellow(finding.severity.padEnd(5));
      lines.push(`  ${styles.dim(position)}  ${severity}  ${finding.message}  ${styles.dim(finding.ruleId)}`);
      if (finding.hint) lines.push(`  ${' '.repeat(positionWidth)}  ${styles.cyan(`fix: ${finding.hint}`)}`);
    }
    lines.push('');
  }
  lines.push(summaryLine(report, styles));
  return lines.join('\n') + '\n';
}

function groupByFile(findings: readonly Finding[]): Map<string, Finding[]> {
  const groups = new Map<string, Finding[]>();
  for (const finding of findings) {
    const group = groups.get(finding.file);
    if (group) group.push(finding);
    else groups.set(finding.file, [finding]);
  }
  return groups;
}

function positionOf(finding: Finding): string {
  return `${finding.line}:${finding.column}`;
}

function summaryLine(report: CheckReport, styles: Styles): string {
  const { errors, warnings } = countBySeverity(report.findings);
  const baseline = report.suppressed > 0 ? styles.dim(` (${plural(report.suppressed, 'known violation')} hidden by the baseline)`) : '';
  if (errors + warnings === 0) {
    return styles.green(`✔ no problems in ${plural(report.filesChecked, 'file')}`) + baseline;
  }
  const text = `✖ ${plural(errors + warnings, 'problem')} (${plural(errors, 'error')}, ${plural(warnings, 'warning')})`;
  return styles.bold(errors > 0 ? styles.red(text) : styles.yellow(text)) + baseline;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
