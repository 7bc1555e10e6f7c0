import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Plan } from '../../shared/domain/plan.ts';
import type { PlanTable } from '../../shared/extraction/plan-table.ts';
import { readRowsTsv } from './layout-rows-as-textract.ts';

export const ACTION_PLAN_FIXTURES = ['hmp-liverpool-2018', 'hmp-long-lartin-2023'] as const;
export type ActionPlanFixture = (typeof ACTION_PLAN_FIXTURES)[number];

export function fixturePath(relative: string): string {
  return fileURLToPath(new URL(`../fixtures/${relative}`, import.meta.url));
}

export function readFixtureText(relative: string): string {
  return readFileSync(fixturePath(relative), 'utf8');
}

export function readFixtureJson<T = unknown>(relative: string): T {
  return JSON.parse(readFixtureText(relative)) as T;
}

export function loadTruth(name: ActionPlanFixture): Plan {
  return readFixtureJson<Plan>(`action-plans/${name}.truth.json`);
}

export function loadRows(name: ActionPlanFixture): { header: string[]; rows: string[][] } {
  return readRowsTsv(readFixtureText(`action-plans/${name}.rows.tsv`));
}

/** The tsv rows as a plan table, each row located by its line in the file (header is line 1). */
export function loadPlanTable(name: ActionPlanFixture): PlanTable {
  const { header, rows } = loadRows(name);
  return { header, rows: rows.map((cells, i) => ({ cells, sources: [{ page: 1, row: i + 2 }] })) };
}
