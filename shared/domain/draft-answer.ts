import type { Decision, PlanFormat, PlanItem } from './plan.ts';
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

const CONCERN_KINDS: ReadonlySet<PlanItem['kind']> = new Set(['priority_concern', 'key_concern']);
/** The two decision vocabularies; one plan uses one of them. */
const DECISION_FAMILIES: Record<'accepted-2015' | 'agreed-2018', readonly Decision[]> = {
  'accepted-2015': ['accepted', 'accepted_subject_to_resources', 'rejected'],
  'agreed-2018': ['agreed', 'partly_agreed', 'not_agreed'],
};
const DECLINED: ReadonlySet<Decision> = new Set(['not_agreed', 'rejected']);

function familyOf(decision: Decision): 'accepted-2015' | 'agreed-2018' {
  return DECISION_FAMILIES['accepted-2015'].includes(decision) ? 'accepted-2015' : 'agreed-2018';
}

/**
 * What makes an answer unusable for this item (empty when it is fine): a concern takes no decision
 * (the 2023 format has none) and a recommendation needs one, in the vocabulary the plan's other
 * answers use; an accepted item needs at least one action; owners and targets are not blank.
 */
export function answerIssues(item: PlanItem, answer: ItemAnswer, otherItems: readonly PlanItem[]): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const concern = CONCERN_KINDS.has(item.kind);
  if (concern && answer.decision !== null) {
    issues.push({ pointer: 'body.decision', message: `${item.ref} is a concern; concerns take no decision (null)` });
  }
  if (!concern && answer.decision === null) {
    issues.push({ pointer: 'body.decision', message: `${item.ref} is a recommendation; it needs a decision` });
  }
  if (answer.decision !== null) {
    const family = familyOf(answer.decision);
    const other = otherItems.find((candidate) => candidate.decision !== null && familyOf(candidate.decision) !== family);
    if (other?.decision) {
      issues.push({
        pointer: 'body.decision',
        message: `${answer.decision} is not of the plan's decision vocabulary: item ${other.ref} is ${other.decision} (${DECISION_FAMILIES[familyOf(other.decision)].join(', ')})`,
      });
    }
  }
  const declined = answer.decision !== null && DECLINED.has(answer.decision);
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

/** The format of a fully answered draft: concerns → 2023; otherwise by the decisions' vocabulary. */
export function formatOfAnsweredDraft(items: readonly PlanItem[]): PlanFormat {
  if (items.some((item) => CONCERN_KINDS.has(item.kind))) return 'concerns-2023';
  return items.some((item) => item.decision !== null && familyOf(item.decision) === 'accepted-2015')
    ? 'accepted-2015'
    : 'agreed-2018';
}
