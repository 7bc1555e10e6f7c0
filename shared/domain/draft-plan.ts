import type { PlanItem } from './plan.ts';
import { itemKindRecord } from './plan-formats.ts';
import type { Report, ReportItem } from './report.ts';

/**
 * The draft plan an inspection report starts, and what the action plan that answers it is checked
 * against: the same refs, with the same recommendation texts.
 */

/** The draft's items: each recommendation or concern of the report, with no decision or actions yet. */
export function draftItemsOf(report: Report): PlanItem[] {
  return report.items.map(({ ref, kind, addressee, section, text }) => ({
    ref,
    kind,
    addressee,
    section,
    text,
    decision: null,
    actions: [],
  }));
}

/**
 * Below this share of words in common (Jaccard similarity of the two texts' word sets), a
 * recommendation's text in the plan differs materially from the report's; above it, the difference
 * is a typo, a hyphen or a word or two of rewording.
 */
export const SAME_TEXT_SIMILARITY = 0.8;

/**
 * What a reader should check where the plan does not answer its draft item for item: refs of the
 * report with no response in the plan, refs of the plan that are not in the report, and
 * recommendations whose text in the plan differs materially from the report's (naming the report's
 * item whose text it has, when it has another's). In the report's order, then the plan's.
 */
export function draftComparisonWarnings(draft: readonly ReportItem[], plan: readonly ReportItem[]): string[] {
  const draftByRef = firstByRef(draft);
  const planByRef = firstByRef(plan);
  const warnings: string[] = [];
  for (const item of draftByRef.values()) {
    const answer = planByRef.get(item.ref);
    if (!answer) {
      warnings.push(`${capitalised(labelOf(item))} of the report has no response in the plan`);
    } else if (textSimilarity(item.text, answer.text) < SAME_TEXT_SIMILARITY) {
      const original = sameTextIn(draft, answer);
      warnings.push(
        original
          ? `The text of ${labelOf(answer)} in the plan is that of ${labelOf(original)} in the report`
          : `The text of ${labelOf(answer)} in the plan differs from ${labelOf(item)} in the report`,
      );
    }
  }
  for (const item of planByRef.values()) {
    if (draftByRef.has(item.ref)) continue;
    const original = sameTextIn(draft, item);
    warnings.push(
      `${capitalised(labelOf(item))} of the plan is not in the report` +
        (original ? `; its text is that of ${labelOf(original)}` : ''),
    );
  }
  return warnings;
}

/** Jaccard similarity of the two texts' word sets, ignoring case, accents and punctuation: 1 for the same words. */
export function textSimilarity(left: string, right: string): number {
  const leftWords = wordsOf(left);
  const rightWords = wordsOf(right);
  const union = new Set([...leftWords, ...rightWords]);
  if (union.size === 0) return 1;
  const shared = [...leftWords].filter((word) => rightWords.has(word)).length;
  return shared / union.size;
}

function wordsOf(text: string): Set<string> {
  const normalised = text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/['’]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
  return new Set(normalised ? normalised.split(' ') : []);
}

/** The report's item, under another ref, whose text the plan's item has; none for an item without words. */
function sameTextIn(draft: readonly ReportItem[], item: ReportItem): ReportItem | undefined {
  if (wordsOf(item.text).size === 0) return undefined;
  return draft.find(
    (candidate) => candidate.ref !== item.ref && textSimilarity(candidate.text, item.text) >= SAME_TEXT_SIMILARITY,
  );
}

function firstByRef(items: readonly ReportItem[]): Map<string, ReportItem> {
  const byRef = new Map<string, ReportItem>();
  for (const item of items) if (!byRef.has(item.ref)) byRef.set(item.ref, item);
  return byRef;
}

/** "recommendation 5.3", "priority concern 1" */
function labelOf(item: ReportItem): string {
  return `${itemKindRecord(item.kind).noun} ${item.ref}`;
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
