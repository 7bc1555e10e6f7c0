import type { Plan } from '../domain/plan.ts';
import type { Report } from '../domain/report.ts';

/** A plan as a short text report for a person at a terminal. */
export function formatPlanSummary(plan: Plan): string {
  const lines: string[] = [];
  lines.push(`${plan.establishment ?? 'Unknown establishment'} — ${plan.source}`);
  lines.push(`Format: ${plan.format}`);
  if (plan.inspection) lines.push(`Inspection: ${plan.inspection.from} to ${plan.inspection.to}`);
  if (plan.reportPublished) lines.push(`Report published: ${plan.reportPublished}`);
  if (plan.planSubmitted) lines.push(`Plan submitted: ${plan.planSubmitted}`);
  const actions = plan.items.reduce((count, item) => count + item.actions.length, 0);
  lines.push(`Items: ${plan.items.length}, actions: ${actions}`);

  const byKind = new Map<string, Map<string, number>>();
  for (const item of plan.items) {
    const decisions = byKind.get(item.kind) ?? new Map<string, number>();
    const decision = item.decision ?? 'no decision';
    decisions.set(decision, (decisions.get(decision) ?? 0) + 1);
    byKind.set(item.kind, decisions);
  }
  for (const [kind, decisions] of byKind) {
    const total = [...decisions.values()].reduce((a, b) => a + b, 0);
    const parts = [...decisions].map(([decision, count]) => `${decision} ${count}`).join(', ');
    lines.push(`  ${kind}: ${total} (${parts})`);
  }
  if (plan.summary) {
    const { housekeeping, ...main } = plan.summary;
    lines.push(`Printed summary: ${formatCounts(main)}`);
    if (housekeeping) lines.push(`Printed housekeeping summary: ${formatCounts(housekeeping)}`);
  }
  const noOwner = plan.items
    .flatMap((item) => item.actions)
    .filter((action) => action.owners.length === 0).length;
  const noTarget = plan.items
    .flatMap((item) => item.actions)
    .filter((action) => action.targets.length === 0).length;
  lines.push(`Actions with no owner: ${noOwner}; with no target: ${noTarget}`);
  lines.push(...warningLines(plan.warnings));
  return lines.join('\n');
}

function formatCounts(counts: Record<string, number | undefined>): string {
  return Object.entries(counts)
    .map(([key, value]) => `${key.replace(/_/g, ' ')} ${value}`)
    .join(', ');
}

/** An inspection report's recommendations or concerns as a short text for a person at a terminal. */
export function formatReportSummary(report: Report): string {
  const lines = [`${report.establishment ?? 'Unknown establishment'} — ${report.source} (inspection report)`];
  if (report.inspection) lines.push(`Inspection: ${report.inspection.from} to ${report.inspection.to}`);
  if (report.reportPublished) lines.push(`Report published: ${report.reportPublished}`);
  lines.push(`Items: ${report.items.length}`);
  const byKind = new Map<string, number>();
  for (const item of report.items) byKind.set(item.kind, (byKind.get(item.kind) ?? 0) + 1);
  for (const [kind, count] of byKind) lines.push(`  ${kind}: ${count}`);
  lines.push(...warningLines(report.warnings));
  return lines.join('\n');
}

function warningLines(warnings: readonly string[]): string[] {
  if (warnings.length === 0) return ['Warnings: none'];
  return [`Warnings (${warnings.length}):`, ...warnings.map((warning) => `  - ${warning}`)];
}
