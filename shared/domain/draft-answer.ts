import type { Decision, PlanFormat, PlanItem } from './plan.ts';
import {
  decisionWording,
  formatOfDecision,
  hasDecisionColumn,
  kindTakesDecision,
  PLAN_FORMAT_RECORDS,
  type PlanFormatRecord,
} from './plan-formats.ts';
import type { FieldIssue } from './request-errors.ts';
import { dueDateOf } from './target-dates.ts';

/**
 * The prison's answer to one item of a draft plan (started from an inspection report), given through
 * the API instead of an action plan PDF: a decision and the actions, each with owners and targets as
 * printed; due dates come from the same target-date rules as a PDF's target cells.
 */
export interface ItemAnswer {
  decision: Decision | null;
  actions: { text: string; owners: string[]; targets: { raw: string }[] }[];
}

/** Whether the decision declines the item, so that it needs no action. */
function declines(decision: Decision, formats: readonly PlanFormatRecord[]): boolean {
  return decisionWording(decision, formats)?.stance === 'declines';
}

/** What the formats listing a kind of item call it: "a concern", "a recommendation". */
function itemNounOf(kind: PlanItem['kind'], takesDecision: boolean, formats: readonly PlanFormatRecord[]): PlanFormatRecord['itemNoun'] {
  const format = formats.find((candidate) => hasDecisionColumn(candidate) === takesDecision && candidate.kinds.includes(kind));
  if (!format) throw new Error(`No plan format lists items of kind ${kind}`);
  return format.itemNoun;
}

/**
 * What makes an answer unusable for this item (empty when it is fine): a concern takes no decision
 * (the 2023 format has none) and a recommendation needs one, in the vocabulary the plan's other
 * answers use; an accepted item needs at least one action; owners and targets are not blank.
 */
export function answerIssues(
  item: PlanItem,
  answer: ItemAnswer,
  otherItems: readonly PlanItem[],
  formats: readonly PlanFormatRecord[] = PLAN_FORMAT_RECORDS,
): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const takesDecision = kindTakesDecision(item.kind, formats);
  const noun = itemNounOf(item.kind, takesDecision, formats);
  if (!takesDecision && answer.decision !== null) {
    issues.push({ pointer: 'body.decision', message: `${item.ref} is a ${noun.one}; ${noun.many} take no decision (null)` });
  }
  if (takesDecision && answer.decision === null) {
    issues.push({ pointer: 'body.decision', message: `${item.ref} is a ${noun.one}; it needs a decision` });
  }
  if (answer.decision !== null) {
    const family = formatOfDecision(answer.decision, formats);
    const other = otherItems.find(
      (candidate) => candidate.decision !== null && formatOfDecision(candidate.decision, formats) !== family,
    );
    if (other?.decision) {
      const vocabulary = formatOfDecision(other.decision, formats)?.decisions.map(({ decision }) => decision) ?? [];
      issues.push({
        pointer: 'body.decision',
        message: `${answer.decision} is not of the plan's decision vocabulary: item ${other.ref} is ${other.decision} (${vocabulary.join(', ')})`,
      });
    }
  }
  const declined = answer.decision !== null && declines(answer.decision, formats);
  if (answer.actions.length === 0 && !declined) {
    issues.push({ pointer: 'body.actions', message: 'an item that is not declined needs at least one action' });
  }
  answer.actions.forEach((action, index) => {
    if (!action.text.trim()) issues.push({ pointer: `body.actions[${index}].text`, message: 'the action has no text' });
    action.owners.forEach((owner, ownerIndex) => {
      if (!owner.trim()) issues.push({ pointer: `body.actions[${index}].owners[${ownerIndex}]`, message: 'an owner is blank' });
    });
    action.targets.forEach((target, targetIndex) => {
      if (!target.raw.trim()) issues.push({ pointer: `body.actions[${index}].targets[${targetIndex}].raw`, message: 'a target is blank' });
    });
  });
  return issues;
}

const collapse = (text: string) => text.replace(/\s+/g, ' ').trim();

/** The item with the answer in it: white space collapsed, owners de-duplicated, due dates read from the targets. */
export function answeredItem(item: PlanItem, answer: ItemAnswer): PlanItem {
  return {
    ...item,
    decision: answer.decision,
    actions: answer.actions.map((action) => ({
      text: collapse(action.text),
      owners: [...new Set(action.owners.map(collapse))],
      targets: action.targets.map(({ raw }) => ({ raw: collapse(raw), due: dueDateOf(collapse(raw)) })),
    })),
  };
}

/**
 * The format of a fully answered draft, by the format records: a format without a decision column
 * that lists one of its items' kinds (concerns → 2023); otherwise the format whose vocabulary its
 * decisions use, and the newest format with a decision column when none is given.
 */
export function formatOfAnsweredDraft(items: readonly PlanItem[], formats: readonly PlanFormatRecord[] = PLAN_FORMAT_RECORDS): PlanFormat {
  const withoutDecisions = formats.find(
    (format) => !hasDecisionColumn(format) && items.some((item) => !kindTakesDecision(item.kind, formats) && format.kinds.includes(item.kind)),
  );
  if (withoutDecisions) return withoutDecisions.id;
  const withDecisions = formats.filter(hasDecisionColumn);
  const used = withDecisions.find((format) =>
    items.some((item) => item.decision !== null && format.decisions.some(({ decision }) => decision === item.decision)),
  );
  const newest = withDecisions.at(-1);
  const format = used ?? newest;
  if (!format) throw new Error('No plan format has a decision column');
  return format.id;
}
