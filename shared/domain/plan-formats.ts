/**
 * The action-plan formats HMPPS has published, one record each (tests/fixtures/README.md describes
 * them): the id `extract` prints, a label for a person, the decision vocabulary (what an item may be
 * answered with, and the wordings that print it), the kinds of item the format lists, and the cues
 * by which a plan table in that format is recognised. Format detection (shared/extraction/plan-table.ts),
 * draft answers (draft-answer.ts), the approval checks and the web pages all read these records and
 * know no format by name, so a fourth format is one more record here (and, if it brings a new kind of
 * item, one more entry in ITEM_KIND_RECORDS). The plan model's enums (plan.ts) are derived from them.
 */

/** How far a decision goes along with the recommendation: pages colour it green, amber or red. */
export type DecisionStance = 'accepts' | 'partly' | 'declines';

/** One decision of a vocabulary. */
export interface DecisionWordingShape {
  /** As `extract` prints it: `partly_agreed`. */
  decision: string;
  /** For a person, capitalised as a tag shows it: "Partly agreed". */
  label: string;
  stance: DecisionStance;
  /**
   * The printed wordings that mean it, tried on the cell's text in lower case with spaces collapsed.
   * When wordings of several decisions match ("agreed" and "agreed in part"), the longest match wins.
   */
  printed: RegExp;
}

/** One kind of item, in any format that lists it. */
export interface ItemKindShape {
  /** As `extract` prints it: `priority_concern`. */
  kind: string;
  /** For a person, as a tag shows it: "Priority concern". */
  label: string;
  /** What a sentence calls one before its ref: "recommendation 5.3", "priority concern 1". */
  noun: string;
  /** The heading row (or report heading) that lists items of this kind: "Priority concerns". */
  heading: RegExp;
}

/**
 * The kinds of item, in the plan model's order. The heading patterns start with different words, so
 * a heading matches one kind at most.
 */
const KINDS = [
  { kind: 'main_recommendation', label: 'Main recommendation', noun: 'recommendation', heading: /^main\s+recommendations?\b/i },
  { kind: 'recommendation', label: 'Recommendation', noun: 'recommendation', heading: /^(?:other\s+)?recommendations?\b/i },
  { kind: 'housekeeping', label: 'Housekeeping point', noun: 'housekeeping point', heading: /^housekeeping(?:\s+points?)?\b/i },
  { kind: 'priority_concern', label: 'Priority concern', noun: 'priority concern', heading: /^priority\s+concerns?\b/i },
  { kind: 'key_concern', label: 'Key concern', noun: 'key concern', heading: /^key\s+concerns?\b/i },
] as const satisfies readonly ItemKindShape[];

type KindId = (typeof KINDS)[number]['kind'];

/** A format's record; see PLAN_FORMAT_RECORDS. */
export interface PlanFormatShape {
  /** As `extract` prints it in `format`. */
  id: string;
  /** For a person, e.g. in the plans list. */
  label: string;
  /** What the format's plans hold, in a sentence's words: "priority and key concerns, 2023 on". */
  description: string;
  /** What the format calls its items in a sentence ("a concern", "lists no concerns"). */
  itemNoun: { one: string; many: string };
  /**
   * The decisions an item may take. Empty for a format without a decision column, whose items are
   * answered by their actions alone (and take no decision).
   */
  decisions: readonly DecisionWordingShape[];
  /** The decision column's heading as printed ("Accepted / Rejected"), for messages; null without one. */
  decisionColumnAsPrinted: string | null;
  /** The kinds of item its plans list. */
  kinds: readonly KindId[];
  /** The kind of an item no heading row above it names. */
  defaultKind: KindId;
  /**
   * How a plan table in this format is recognised, each pattern tried on a header cell's lower-case
   * words. `decisionColumn`: words that make a column the decision column (besides "decision").
   * `decisionHeader`: words of the decision column's heading that name this format; when none does,
   * the format is the one whose decisions the column's cells hold. `textHeader` (a format without a
   * decision column): words of the item text column's heading that name it; so does a heading row
   * naming one of its kinds.
   */
  cues: { decisionColumn?: RegExp; decisionHeader?: RegExp; textHeader?: RegExp };
}

/** The formats, oldest first: detection tries them in this order. */
const FORMATS = [
  {
    id: 'accepted-2015',
    label: 'Accepted / rejected (2015)',
    description: 'recommendations and housekeeping points, accepted or rejected, as from 2015',
    itemNoun: { one: 'recommendation', many: 'recommendations' },
    decisions: [
      { decision: 'accepted', label: 'Accepted', stance: 'accepts', printed: /^accepted/ },
      {
        decision: 'accepted_subject_to_resources',
        label: 'Accepted subject to resources',
        stance: 'partly',
        printed: /^accepted\s+subject\s+to\s+(?:\w+\s+)?(?:resources|funding|resourcing)/,
      },
      { decision: 'rejected', label: 'Rejected', stance: 'declines', printed: /^(?:not\s+accepted|rejected)/ },
    ],
    decisionColumnAsPrinted: 'Accepted / Rejected',
    kinds: ['main_recommendation', 'recommendation', 'housekeeping'],
    defaultKind: 'recommendation',
    cues: { decisionColumn: /\b(?:accepted|accept|rejected)\b/, decisionHeader: /accept|reject/ },
  },
  {
    id: 'agreed-2018',
    label: 'Agreed / partly / not agreed (2018)',
    description: 'recommendations, agreed, partly agreed or not agreed, as from 2018',
    itemNoun: { one: 'recommendation', many: 'recommendations' },
    decisions: [
      { decision: 'agreed', label: 'Agreed', stance: 'accepts', printed: /^agreed/ },
      {
        decision: 'partly_agreed',
        label: 'Partly agreed',
        stance: 'partly',
        printed: /^(?:partly|partially|part)\s+agreed|^agreed\s+in\s+part/,
      },
      { decision: 'not_agreed', label: 'Not agreed', stance: 'declines', printed: /^(?:not\s+agreed|disagreed)/ },
    ],
    decisionColumnAsPrinted: 'Agreed / Partly Agreed / Not Agreed',
    kinds: ['main_recommendation', 'recommendation'],
    defaultKind: 'recommendation',
    cues: { decisionColumn: /\bagreed\b/, decisionHeader: /agreed/ },
  },
  {
    id: 'concerns-2023',
    label: 'Concerns (2023)',
    description: 'priority and key concerns, 2023 on',
    itemNoun: { one: 'concern', many: 'concerns' },
    decisions: [],
    decisionColumnAsPrinted: null,
    kinds: ['priority_concern', 'key_concern'],
    defaultKind: 'priority_concern',
    cues: { textHeader: /concern/ },
  },
] as const satisfies readonly PlanFormatShape[];

type FormatId = (typeof FORMATS)[number]['id'];
type DecisionId = (typeof FORMATS)[number]['decisions'][number]['decision'];

export interface DecisionWording extends DecisionWordingShape {
  decision: DecisionId;
}

export interface ItemKindRecord extends ItemKindShape {
  kind: KindId;
}

export interface PlanFormatRecord extends PlanFormatShape {
  id: FormatId;
  decisions: readonly DecisionWording[];
}

/** Every format, oldest first. Functions that read formats take this list as their default. */
export const PLAN_FORMAT_RECORDS: readonly PlanFormatRecord[] = FORMATS;

/** Every kind of item, in the plan model's order. */
export const ITEM_KIND_RECORDS: readonly ItemKindRecord[] = KINDS;

/** The format ids, oldest first: the plan model's `format` values. */
export const PLAN_FORMAT_IDS: readonly FormatId[] = FORMATS.map((format) => format.id);

/** The kinds of item: the plan model's `kind` values. */
export const ITEM_KIND_IDS: readonly KindId[] = KINDS.map((kind) => kind.kind);

/**
 * Every decision wording, newest format first (the order pages, emails and the API list decisions
 * in: agreed, partly agreed, not agreed, accepted, …).
 */
export const DECISION_WORDINGS: readonly DecisionWording[] = PLAN_FORMAT_RECORDS.toReversed().flatMap(
  (format) => format.decisions,
);

/** The decisions: the plan model's `decision` values. */
export const DECISION_IDS: readonly DecisionId[] = DECISION_WORDINGS.map((wording) => wording.decision);

/** The record of a format id; it is one of the given formats. */
export function planFormatRecord(id: FormatId, formats: readonly PlanFormatRecord[] = PLAN_FORMAT_RECORDS): PlanFormatRecord {
  const record = formats.find((format) => format.id === id);
  if (!record) throw new Error(`No plan format ${id}`);
  return record;
}

/** The record of a kind of item. */
export function itemKindRecord(kind: KindId): ItemKindRecord {
  const record = ITEM_KIND_RECORDS.find((candidate) => candidate.kind === kind);
  if (!record) throw new Error(`No item kind ${kind}`);
  return record;
}

/** Whether the format's items take a decision (it has a decision column); the 2023 concerns do not. */
export function hasDecisionColumn(format: Pick<PlanFormatShape, 'decisions'>): boolean {
  return format.decisions.length > 0;
}

/** The format whose vocabulary holds the decision. Each decision belongs to one format. */
export function formatOfDecision(
  decision: DecisionId,
  formats: readonly PlanFormatRecord[] = PLAN_FORMAT_RECORDS,
): PlanFormatRecord | undefined {
  return formats.find((format) => format.decisions.some((wording) => wording.decision === decision));
}

/** The wording of a decision: its label and stance. */
export function decisionWording(
  decision: DecisionId,
  formats: readonly PlanFormatRecord[] = PLAN_FORMAT_RECORDS,
): DecisionWording | undefined {
  return formats.flatMap((format) => format.decisions).find((wording) => wording.decision === decision);
}

/**
 * Whether an item of this kind takes a decision: it does when a format with a decision column lists
 * the kind (recommendations, housekeeping points), not when only formats without one do (concerns).
 */
export function kindTakesDecision(kind: KindId, formats: readonly PlanFormatRecord[] = PLAN_FORMAT_RECORDS): boolean {
  return formats.some((format) => hasDecisionColumn(format) && format.kinds.includes(kind));
}

/** The decision a printed cell states ("Partly Agreed", "Accepted subject to funding"), or null. */
export function decisionOfWording(cell: string, formats: readonly PlanFormatRecord[] = PLAN_FORMAT_RECORDS): DecisionId | null {
  const wording = cell.toLowerCase().replace(/\s+/g, ' ').trim();
  if (!wording) return null;
  let best: { decision: DecisionId; length: number } | null = null;
  for (const format of formats) {
    for (const { decision, printed } of format.decisions) {
      const match = printed.exec(wording);
      if (match && (best === null || match[0].length > best.length)) best = { decision, length: match[0].length };
    }
  }
  return best?.decision ?? null;
}

/**
 * The vocabularies of the formats with a decision column, newest first, as their columns print them:
 * "Agreed / Partly Agreed / Not Agreed, or Accepted / Rejected".
 */
export function decisionVocabulariesAsPrinted(formats: readonly PlanFormatRecord[] = PLAN_FORMAT_RECORDS): string {
  return formats
    .toReversed()
    .flatMap((format) => (format.decisionColumnAsPrinted ? [format.decisionColumnAsPrinted] : []))
    .join(', or ');
}
