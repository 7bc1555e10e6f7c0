import { describe, expect, it } from 'vitest';
import { buildTextractResponse, type LineModel, type PageModel } from '../../shared/adapters/local/textract-block-builder.ts';
import { readReportDocument } from '../../shared/extraction/read-report.ts';
import { readTextractDocument } from '../../shared/extraction/textract-document.ts';

/** A page of text lines at given x and baseline positions (points on A4 portrait), as Textract LINEs. */
function page(lines: { text: string; x: number; y: number }[]): PageModel {
  return {
    width: 595,
    height: 842,
    tables: [],
    lines: lines.map(({ text, x, y }): LineModel => {
      let left = x;
      return {
        words: text.split(' ').map((word) => {
          const box = { left, top: y, width: word.length * 5, height: 10 };
          left += word.length * 5 + 3;
          return { text: word, box };
        }),
      };
    }),
  };
}

function read(pages: PageModel[]) {
  return readReportDocument(readTextractDocument(buildTextractResponse(pages, { asynchronous: true })), 'report.pdf');
}

const MARGIN = 50;
const TEXT = 85;

describe('readReportDocument', () => {
  it('reads numbered paragraphs under kind, addressee and section headings, over a page break', () => {
    const header = { text: 'HMP Example inspection report', x: 200, y: 20 };
    const footer = (n: number) => ({ text: `Page ${n}`, x: 280, y: 815 });
    const report = read([
      page([
        header,
        { text: 'HMP Example', x: 250, y: 60 },
        { text: 'Report published: 3 March 2021', x: 220, y: 80 },
        { text: 'Recommendations To The Governor', x: MARGIN, y: 120 },
        { text: 'Daily life', x: MARGIN, y: 140 },
        { text: '1.1', x: MARGIN, y: 160 },
        { text: 'Prisoners should have clean cells and', x: TEXT, y: 160 },
        { text: 'working showers. (S12)', x: TEXT, y: 174 },
        { text: '1.2 Meals should be served at proper', x: MARGIN, y: 200 },
        { text: 'times.', x: TEXT, y: 214 },
        footer(1),
      ]),
      page([
        header,
        { text: 'Housekeeping points', x: MARGIN, y: 60 },
        { text: '1.3', x: MARGIN, y: 80 },
        { text: 'Paint the wing.', x: TEXT, y: 80 },
        footer(2),
      ]),
      page([header, { text: '1.4 Fix the lights.', x: MARGIN, y: 60 }, footer(3)]),
    ]);
    expect(report.establishment).toBe('HMP Example');
    expect(report.reportPublished).toBe('2021-03-03');
    expect(report.items).toEqual([
      { ref: '1.1', kind: 'recommendation', addressee: 'the Governor', section: 'Daily life', text: 'Prisoners should have clean cells and working showers. (S12)' },
      { ref: '1.2', kind: 'recommendation', addressee: 'the Governor', section: 'Daily life', text: 'Meals should be served at proper times.' },
      { ref: '1.3', kind: 'housekeeping', addressee: 'the Governor', section: null, text: 'Paint the wing.' },
      { ref: '1.4', kind: 'housekeeping', addressee: 'the Governor', section: null, text: 'Fix the lights.' },
    ]);
    expect(report.warnings).toEqual([]);
  });

  it('reads concerns numbered "1." and joins a line that lost its hanging indent', () => {
    const report = read([
      page([
        { text: 'Priority concerns', x: MARGIN, y: 60 },
        { text: '1. Levels of violence were too high, especially', x: MARGIN, y: 80 },
        { text: 'against staff.', x: MARGIN, y: 94 },
        { text: 'Key concerns', x: MARGIN, y: 130 },
        { text: '2. Too few key work sessions.', x: MARGIN, y: 150 },
      ]),
    ]);
    expect(report.items.map((item) => [item.ref, item.kind, item.text])).toEqual([
      ['1', 'priority_concern', 'Levels of violence were too high, especially against staff.'],
      ['2', 'key_concern', 'Too few key work sessions.'],
    ]);
  });

  it('keeps a number printed without text, and warns about it and about gaps in the numbering', () => {
    const report = read([
      page([
        { text: 'Recommendations', x: MARGIN, y: 60 },
        { text: '5.1 First.', x: MARGIN, y: 80 },
        { text: '5.2', x: MARGIN, y: 100 },
        { text: '5.4 Fourth.', x: MARGIN, y: 120 },
      ]),
    ]);
    expect(report.items.map((item) => [item.ref, item.text])).toEqual([
      ['5.1', 'First.'],
      ['5.2', ''],
      ['5.4', 'Fourth.'],
    ]);
    expect(report.warnings).toEqual([
      'Recommendation 5.2 is printed without any text',
      'Recommendation numbers missing from the sequence: 5.3',
    ]);
  });

  it('a document without numbered recommendations is a typed error, not an empty report', () => {
    expect(() => read([page([{ text: 'Dear Governor, thank you.', x: MARGIN, y: 60 }])])).toThrow(
      expect.objectContaining({ code: 'NO_RECOMMENDATIONS_FOUND' }),
    );
  });
});

describe('with Textract layout analysis (FeatureTypes LAYOUT)', () => {
  /** Adds LAYOUT_* blocks over the given lines of each page, as Textract's layout analysis does. */
  function withLayout(pages: PageModel[], layouts: Record<string, string>) {
    const responses = buildTextractResponse(pages, { asynchronous: true });
    const blocks = responses.flatMap((response) => response.Blocks ?? []);
    const extra = blocks
      .filter((block) => block.BlockType === 'LINE' && layouts[block.Text ?? ''])
      .map((line, i) => ({
        BlockType: layouts[line.Text ?? '']!,
        Id: `layout-${i}`,
        Page: line.Page,
        Geometry: line.Geometry,
        Relationships: [{ Type: 'CHILD', Ids: [line.Id!] }],
      }));
    return readReportDocument(readTextractDocument({ JobStatus: 'SUCCEEDED', Blocks: [...blocks, ...extra] }), 'r.pdf');
  }

  it('takes LAYOUT_SECTION_HEADER lines as headings and drops LAYOUT_HEADER / FOOTER lines, wherever they stand', () => {
    const report = withLayout(
      [
        page([
          { text: 'Key concerns', x: 250, y: 60 },
          { text: '1. Cells were', x: MARGIN, y: 80 },
          { text: 'dirty', x: MARGIN, y: 94 },
          { text: 'Confidential draft', x: MARGIN, y: 108 },
          { text: 'Daily life', x: TEXT, y: 130 },
          { text: '2. Food was cold.', x: MARGIN, y: 150 },
        ]),
      ],
      { 'Key concerns': 'LAYOUT_SECTION_HEADER', 'Confidential draft': 'LAYOUT_FOOTER', 'Daily life': 'LAYOUT_SECTION_HEADER' },
    );
    expect(report.items.map((item) => [item.ref, item.kind, item.section, item.text])).toEqual([
      ['1', 'key_concern', null, 'Cells were dirty'],
      ['2', 'key_concern', 'Daily life', 'Food was cold.'],
    ]);
  });
});
