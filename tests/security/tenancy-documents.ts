import { drawPdf, renderActionPlanPdf } from '../helpers/pdf-generators.ts';

/**
 * Small action plans and inspection reports printed for any establishment, for the tenancy tests:
 * the title names the establishment as the real documents do ("Action Plan: HMP Brixton"), so the
 * same reader that reads the fixtures finds it.
 */
const HEADER = ['Ref', 'Recommendation', 'Agreed / Partly Agreed / Not Agreed', 'Action taken / planned', 'Target date', 'Owner'];
/** The title above the table, naming the establishment and the report as the real plans do. */
const titleLinesOf = ({ establishment, published }: PrintedPlan) => [`Action Plan: ${establishment}`, `Report Published: ${published}`];

export interface PrintedPlan {
  /** As the title prints it: "HMP Brixton". */
  establishment: string;
  /** "4 February 2026". */
  published: string;
  /** The text of action 1.1, to tell revisions apart. */
  action?: string;
}

/** An action plan of two agreed recommendations, printed as a ruled table. */
export function planPdf({ establishment, published, action = 'Training is booked for all staff.' }: PrintedPlan): Promise<Uint8Array> {
  return renderActionPlanPdf(
    HEADER,
    [
      ['Recommendations To the Governor', '', '', '', '', ''],
      ['1.1', 'Staff should be trained in suicide prevention.', 'Agreed', action, '31/03/2026', 'Head of Safety'],
      ['1.2', 'Cells should be decorated.', 'Agreed', 'A bid has been made.', 'March 2026', 'Governor'],
    ],
    { titleLines: titleLinesOf({ establishment, published }) },
  );
}

/** An action plan whose table has a heading and no item rows: what a damaged PDF reads as. */
export function planWithoutItemsPdf(plan: PrintedPlan): Promise<Uint8Array> {
  return renderActionPlanPdf(HEADER, [['Recommendations To the Governor', '', '', '', '', '']], { titleLines: titleLinesOf(plan) });
}

/** An inspection report with its two recommendations as numbered paragraphs. */
export function reportPdf({ establishment, published }: PrintedPlan): Promise<Uint8Array> {
  return drawPdf([
    {
      texts: [
        { text: 'Report on an unannounced inspection of', x: 72, baseline: 80 },
        { text: establishment, x: 72, baseline: 100, size: 16 },
        { text: `Report Published: ${published}`, x: 72, baseline: 120 },
        { text: 'Recommendations', x: 72, baseline: 160 },
        { text: '1.1', x: 72, baseline: 180 },
        { text: 'Staff should be trained in suicide prevention.', x: 110, baseline: 180 },
        { text: '1.2', x: 72, baseline: 200 },
        { text: 'Cells should be decorated.', x: 110, baseline: 200 },
      ],
    },
  ]);
}
