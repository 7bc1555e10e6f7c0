import type { DecisionCounts, PlanItem, PlanSummary } from '../domain/plan.ts';
import { parseDecision } from './plan-table.ts';

/**
 * The printed summary of decisions, e.g.
 *   Recommendations | Agreed 55 | Partly Agreed 10 | Not Agreed 7 | Total 72
 * as rows of a table or as lines of text, optionally in two groups (recommendations, housekeeping
 * points) or as two number columns. Input is rows of cell texts, top to bottom.
 */

type Group = 'recommendations' | 'housekeeping';

const NUMBER = /^\d{1,4}$/;

export function readSummary(rows: readonly (readonly string[])[]): PlanSummary | null {
  const counts: Record<Group, DecisionCounts> = { recommendations: {}, housekeeping: {} };
  let group: Group = 'recommendations';
  let columnGroups: Group[] | null = null;

  for (const rawRow of rows) {
    const cells = rawRow
      .flatMap((cell) => splitTrailingNumber(cell.replace(/\s+/g, ' ').trim()))
      .filter(Boolean);
    if (cells.length === 0) continue;
    const headingGroup = groupOf(cells[0]!);
    const numbers = cells.filter((cell) => NUMBER.test(cell));

    if (numbers.length === 0) {
      // A heading: one group name, or one per number column ("", "Recommendations", "Housekeeping").
      const named = cells.map(groupOf).filter((g): g is Group => g !== null);
      if (named.length >= 2) columnGroups = named;
      else if (headingGroup) group = headingGroup;
      continue;
    }
    const label = cells.filter((cell) => !NUMBER.test(cell)).join(' ');
    const key = countKey(label);
    if (!key) continue;
    const groups = numbers.length > 1 && columnGroups ? columnGroups : [group];
    numbers.forEach((number, i) => {
      const target = groups[i];
      if (target) counts[target][key] = Number(number);
    });
  }

  const main = counts.recommendations;
  const housekeeping = counts.housekeeping;
  if (Object.keys(main).length === 0 && Object.keys(housekeeping).length === 0) return null;
  const summary: PlanSummary = { ...main };
  if (Object.keys(housekeeping).length > 0) summary.housekeeping = housekeeping;
  return summary;
}

function splitTrailingNumber(cell: string): string[] {
  const match = /^(.*\D)\s+(\d{1,4})$/.exec(cell);
  return match ? [match[1]!.trim(), match[2]!] : [cell];
}

function groupOf(text: string): Group | null {
  if (/^housekeeping(\s+points?)?$/i.test(text)) return 'housekeeping';
  if (/^(main\s+)?recommendations?$/i.test(text)) return 'recommendations';
  return null;
}

function countKey(label: string): keyof DecisionCounts | null {
  const wording = label.replace(/[:.]$/, '').trim();
  if (/^total/i.test(wording)) return 'total';
  return parseDecision(wording);
}

/** Printed counts that disagree with the items, one warning per disagreement. */
export function summaryWarnings(summary: PlanSummary | null, items: readonly PlanItem[]): string[] {
  if (!summary) return [];
  const { housekeeping, ...main } = summary;
  return [
    ...compareCounts(
      'recommendations',
      main,
      items.filter((item) => item.kind !== 'housekeeping'),
    ),
    ...(housekeeping
      ? compareCounts(
          'housekeeping points',
          housekeeping,
          items.filter((item) => item.kind === 'housekeeping'),
        )
      : []),
  ];
}

function compareCounts(label: string, printed: DecisionCounts, items: readonly PlanItem[]): string[] {
  const warnings: string[] = [];
  for (const [key, value] of Object.entries(printed) as [keyof DecisionCounts, number][]) {
    const counted = key === 'total' ? items.length : items.filter((item) => item.decision === key).length;
    if (counted !== value) {
      warnings.push(
        `The printed summary gives ${value} ${label} as ${key.replace(/_/g, ' ')}, but the table has ${counted}`,
      );
    }
  }
  return warnings;
}
