import { describe, expect, it } from 'vitest';
import { itemsAwaitingResponse } from '../../shared/domain/approval.ts';
import { answerIssues, formatOfAnsweredDraft, type ItemAnswer } from '../../shared/domain/draft-answer.ts';
import { UnreadableDocumentError } from '../../shared/domain/errors.ts';
import {
  DECISION_WORDINGS,
  decisionOfWording,
  decisionVocabulariesAsPrinted,
  hasDecisionColumn,
  ITEM_KIND_RECORDS,
  kindTakesDecision,
  PLAN_FORMAT_RECORDS,
  type PlanFormatRecord,
} from '../../shared/domain/plan-formats.ts';
import { type Decision, DECISIONS, ITEM_KINDS, PLAN_FORMATS, type PlanFormat, type PlanItem } from '../../shared/domain/plan.ts';
import {
  classifyHeading,
  detectFormat,
  mapColumns,
  normaliseHeaderText,
  type PlanTable,
  readPlanTable,
} from '../../shared/extraction/plan-table.ts';

function table(header: string[], rows: string[][]): PlanTable {
  return { header, rows: rows.map((cells, i) => ({ cells, sources: [{ page: 1, row: i + 2 }] })) };
}

function formatOf(planTable: PlanTable, formats: readonly PlanFormatRecord[] = PLAN_FORMAT_RECORDS): PlanFormat {
  return detectFormat(planTable.header, mapColumns(planTable.header, formats), planTable, formats);
}

const item = (ref: string, kind: PlanItem['kind'], decision: Decision | null = null): PlanItem => ({
  ref,
  kind,
  addressee: null,
  section: null,
  text: `Item ${ref}`,
  decision,
  actions: decision === null ? [] : [{ text: 'Done', owners: ['Governor'], targets: [] }],
});

const answer = (decision: Decision | null, actions = 1): ItemAnswer => ({
  decision,
  actions: Array.from({ length: actions }, () => ({ text: 'We will', owners: ['Governor'], targets: [{ raw: 'June 2031' }] })),
});

describe('the plan-format records', () => {
  it('give the plan model the contract’s formats, kinds and decisions, in its order', () => {
    // tests/fixtures/README.md: the `extract` JSON contract.
    expect(PLAN_FORMATS).toEqual(['accepted-2015', 'agreed-2018', 'concerns-2023']);
    expect(ITEM_KINDS).toEqual(['main_recommendation', 'recommendation', 'housekeeping', 'priority_concern', 'key_concern']);
    expect(DECISIONS).toEqual(['agreed', 'partly_agreed', 'not_agreed', 'accepted', 'accepted_subject_to_resources', 'rejected']);
  });

  it.each(PLAN_FORMAT_RECORDS.map((format) => [format.id, format] as const))('%s is complete', (_id, format) => {
    expect(format.label.trim()).not.toBe('');
    expect(format.description.trim()).not.toBe('');
    expect(format.itemNoun.one.trim()).not.toBe('');
    expect(format.itemNoun.many.trim()).not.toBe('');
    expect(format.kinds.length).toBeGreaterThan(0);
    expect(format.kinds).toContain(format.defaultKind);
    for (const kind of format.kinds) expect(ITEM_KINDS).toContain(kind);
    if (hasDecisionColumn(format)) {
      // Its column is found, and its heading as printed names this format.
      const printed = normaliseHeaderText(format.decisionColumnAsPrinted ?? '');
      expect(format.cues.decisionColumn?.test(printed)).toBe(true);
      expect(format.cues.decisionHeader?.test(printed)).toBe(true);
      expect(format.cues.textHeader).toBeUndefined();
      expect(new Set(format.decisions.map(({ stance }) => stance))).toContain('accepts');
      for (const { decision, label } of format.decisions) {
        // Each decision's label, printed in a cell, reads back as that decision.
        expect(decisionOfWording(label)).toBe(decision);
        expect(decisionOfWording(label.toUpperCase())).toBe(decision);
      }
    } else {
      expect(format.decisionColumnAsPrinted).toBeNull();
      expect(format.cues.decisionColumn).toBeUndefined();
      expect(format.cues.decisionHeader).toBeUndefined();
      expect(format.cues.textHeader).toBeDefined();
    }
  });

  it('give each decision to one format, and each kind to some format', () => {
    const owners = DECISIONS.map((decision) => PLAN_FORMAT_RECORDS.filter((format) => format.decisions.some((w) => w.decision === decision)).length);
    expect(owners).toEqual(DECISIONS.map(() => 1));
    expect(DECISION_WORDINGS.map(({ decision }) => decision)).toEqual(DECISIONS);
    for (const kind of ITEM_KINDS) expect(PLAN_FORMAT_RECORDS.some((format) => format.kinds.includes(kind))).toBe(true);
    expect(new Set(PLAN_FORMATS).size).toBe(PLAN_FORMATS.length);
  });

  it('name each kind of item, and recognise its heading row', () => {
    expect(ITEM_KIND_RECORDS.map(({ kind }) => kind)).toEqual(ITEM_KINDS);
    for (const { kind, label } of ITEM_KIND_RECORDS) {
      expect(classifyHeading(`${label}s`)).toEqual({ type: 'kind', kind, addressee: null });
    }
  });

  it('say which kinds take a decision: recommendations and housekeeping points do, concerns do not', () => {
    expect(ITEM_KINDS.filter((kind) => kindTakesDecision(kind))).toEqual(['main_recommendation', 'recommendation', 'housekeeping']);
  });

  it('prefer the longest printed wording when several match', () => {
    expect(decisionOfWording('Agreed in part')).toBe('partly_agreed');
    expect(decisionOfWording('Agreed')).toBe('agreed');
    expect(decisionOfWording('Accepted subject to additional funding')).toBe('accepted_subject_to_resources');
    expect(decisionOfWording('Not accepted')).toBe('rejected');
    expect(decisionOfWording('Maybe')).toBeNull();
    expect(decisionOfWording('  ')).toBeNull();
  });

  it('list the vocabularies as their columns print them, newest first', () => {
    expect(decisionVocabulariesAsPrinted()).toBe('Agreed / Partly Agreed / Not Agreed, or Accepted / Rejected');
  });
});

describe('format detection by the records’ cues', () => {
  it.each(PLAN_FORMAT_RECORDS.filter(hasDecisionColumn).map((format) => [format.id, format] as const))(
    '%s by its decision column’s heading, and by its decisions under a plain "Decision" heading',
    (id, format) => {
      const rows = format.decisions.map(({ label }, index) => [`${index + 1}`, 'Text', label, 'Response', 'Owner', 'June 2020']);
      expect(formatOf(table(['Ref', 'Recommendation', format.decisionColumnAsPrinted!, 'Response', 'Owner', 'Target date'], rows))).toBe(id);
      expect(formatOf(table(['Ref', 'Recommendation', 'Decision', 'Response', 'Owner', 'Target date'], rows))).toBe(id);
    },
  );

  it.each(PLAN_FORMAT_RECORDS.filter((format) => !hasDecisionColumn(format)).map((format) => [format.id, format] as const))(
    '%s by its text column’s heading, or by a heading row naming one of its kinds',
    (id, format) => {
      const rows = [['1', 'Text', 'Response', 'Owner', 'June 2024']];
      expect(formatOf(table(['No', `${format.itemNoun.many}`, 'Response', 'Owner', 'Target date'], rows))).toBe(id);
      const kindLabel = ITEM_KIND_RECORDS.find(({ kind }) => kind === format.kinds[0])!.label;
      expect(formatOf(table(['No', 'Findings', 'Response', 'Owner', 'Target date'], [[`${kindLabel}s`, '', '', '', ''], ...rows]))).toBe(id);
    },
  );

  it('refuses a decision column holding no decision of any format, naming every vocabulary', () => {
    const unknown = table(['Ref', 'Recommendation', 'Decision', 'Response'], [['1', 'Text', 'Maybe', 'Response']]);
    expect(() => formatOf(unknown)).toThrow(UnreadableDocumentError);
    expect(() => formatOf(unknown)).toThrow('(Agreed / Partly Agreed / Not Agreed, or Accepted / Rejected)');
  });
});

/**
 * A made-up fourth format, as a new record in the registry would describe it: a "Supported / Not
 * Supported" decision column. Its ids are not in the plan model's types (the real registry is the
 * source of those), hence the casts; nothing else knows it.
 */
const SUPPORTED: PlanFormatRecord = {
  id: 'supported-2030' as PlanFormat,
  label: 'Supported / not supported (2030)',
  description: 'recommendations, supported, partly supported or not supported, as from 2030',
  itemNoun: { one: 'recommendation', many: 'recommendations' },
  decisions: [
    { decision: 'supported' as Decision, label: 'Supported', stance: 'accepts', printed: /^supported/ },
    { decision: 'partly_supported' as Decision, label: 'Partly supported', stance: 'partly', printed: /^partly\s+supported/ },
    { decision: 'not_supported' as Decision, label: 'Not supported', stance: 'declines', printed: /^(?:not\s+supported|unsupported)/ },
  ],
  decisionColumnAsPrinted: 'Supported / Partly Supported / Not Supported',
  kinds: ['main_recommendation', 'recommendation'],
  defaultKind: 'recommendation',
  cues: { decisionColumn: /\bsupported\b/, decisionHeader: /supported/ },
};
const WITH_FOURTH = [...PLAN_FORMAT_RECORDS, SUPPORTED];

describe('a fourth format, given as one more record', () => {
  const header = ['Rec no', 'Recommendation', 'Supported / Partly Supported / Not Supported', 'Action taken', 'Owner', 'Target date'];
  const rows = [
    ['Main recommendations', '', '', '', '', ''],
    ['1', 'Reduce violence', 'Supported', 'A violence reduction strategy', 'Head of Safety', 'June 2030'],
    ['2', 'Open the library daily', 'Not supported', '', '', ''],
    ['Recommendations', '', '', '', '', ''],
    ['3', 'Improve visits', 'Partly Supported', 'Longer visits at weekends', 'Head of Residence', 'March 2031'],
  ];

  it('is read from its table: its column, its format and its decisions', () => {
    const reading = readPlanTable(table(header, rows), WITH_FOURTH);
    expect(reading.format).toBe('supported-2030');
    expect(reading.warnings).toEqual([]);
    expect(reading.items.map(({ ref, kind, decision }) => ({ ref, kind, decision }))).toEqual([
      { ref: '1', kind: 'main_recommendation', decision: 'supported' },
      { ref: '2', kind: 'main_recommendation', decision: 'not_supported' },
      { ref: '3', kind: 'recommendation', decision: 'partly_supported' },
    ]);
    expect(reading.items[2]!.actions).toEqual([
      { text: 'Longer visits at weekends', owners: ['Head of Residence'], targets: [{ raw: 'March 2031', due: '2031-03-31' }] },
    ]);
  });

  it('is found by its decisions when the column is headed only "Decision"', () => {
    expect(formatOf(table(['Ref', 'Recommendation', 'Decision', 'Response'], [['1', 'Text', 'Not supported', 'No']]), WITH_FOURTH)).toBe(
      'supported-2030',
    );
  });

  it('is unknown without its record: the same table is refused', () => {
    expect(() => readPlanTable(table(header, rows))).toThrow(UnreadableDocumentError);
  });

  it('is named among the vocabularies, newest first', () => {
    expect(decisionVocabulariesAsPrinted(WITH_FOURTH)).toBe(
      'Supported / Partly Supported / Not Supported, or Agreed / Partly Agreed / Not Agreed, or Accepted / Rejected',
    );
  });

  it('answers a draft in its vocabulary: declined items need no action, other vocabularies are refused', () => {
    const others = [item('1', 'recommendation', 'supported' as Decision)];
    expect(answerIssues(item('2', 'recommendation'), answer('not_supported' as Decision, 0), others, WITH_FOURTH)).toEqual([]);
    expect(answerIssues(item('2', 'recommendation'), answer('partly_supported' as Decision, 0), others, WITH_FOURTH)).toEqual([
      { pointer: 'body.actions', message: 'an item that is not declined needs at least one action' },
    ]);
    expect(answerIssues(item('2', 'recommendation'), answer('agreed'), others, WITH_FOURTH)).toEqual([
      {
        pointer: 'body.decision',
        message: "agreed is not of the plan's decision vocabulary: item 1 is supported (supported, partly_supported, not_supported)",
      },
    ]);
  });

  it('is the format of a draft answered in its vocabulary', () => {
    const answered = [item('1', 'main_recommendation', 'supported' as Decision), item('2', 'recommendation', 'not_supported' as Decision)];
    expect(formatOfAnsweredDraft(answered, WITH_FOURTH)).toBe('supported-2030');
    // The existing formats are still told apart with the fourth among them.
    expect(formatOfAnsweredDraft([item('1', 'recommendation', 'rejected')], WITH_FOURTH)).toBe('accepted-2015');
    expect(formatOfAnsweredDraft([item('1', 'recommendation', 'agreed')], WITH_FOURTH)).toBe('agreed-2018');
    expect(formatOfAnsweredDraft([item('1', 'key_concern')], WITH_FOURTH)).toBe('concerns-2023');
  });
});

describe('what the records decide for draft answers and approval', () => {
  it('concerns take no decision and recommendations need one, in the words of their format', () => {
    expect(answerIssues(item('1', 'priority_concern'), answer('agreed'), [])).toEqual([
      { pointer: 'body.decision', message: '1 is a concern; concerns take no decision (null)' },
    ]);
    expect(answerIssues(item('H1', 'housekeeping'), answer(null), [])).toEqual([
      { pointer: 'body.decision', message: 'H1 is a recommendation; it needs a decision' },
    ]);
  });

  it('a format without a decision column awaits actions, one with a decision column awaits decisions', () => {
    const concern = { ...item('1', 'key_concern'), actions: [] };
    const recommendation = item('2', 'recommendation');
    expect(itemsAwaitingResponse('concerns-2023', [concern])).toEqual(['1']);
    expect(itemsAwaitingResponse('agreed-2018', [recommendation])).toEqual(['2']);
    expect(itemsAwaitingResponse('agreed-2018', [item('3', 'recommendation', 'not_agreed')])).toEqual([]);
    expect(itemsAwaitingResponse(null, [recommendation])).toEqual(['2']);
  });
});
