import type { Principal } from '../domain/access.ts';
import { decodeCursor, encodeCursor } from '../domain/cursor.ts';
import type { Page, PlanQueries, StoredEstablishment } from '../ports/plan-queries.ts';

/** Every establishment with a stored plan, by id: one Query of GSI2 `ESTABLISHMENTS` per page. */
export async function listEstablishments(
  input: { limit?: number; cursor?: string },
  _principal: Principal,
  { plans }: { plans: PlanQueries },
): Promise<Page<StoredEstablishment>> {
  const scope = { list: 'establishments' };
  const page = await plans.listEstablishments({
    ...(input.limit ? { limit: input.limit } : {}),
    ...(input.cursor ? { cursor: decodeCursor(input.cursor, scope) } : {}),
  });
  return { items: page.items, ...(page.cursor ? { cursor: encodeCursor(page.cursor, scope) } : {}) };
}
