import { z } from 'zod';
import { Decision } from '../../shared/domain/plan.ts';
import { answerDraftItem } from '../../shared/usecases/answer-draft-item.ts';
import { apiDependencies } from '../lib/api-runtime.ts';
import { httpHandler } from '../lib/http.ts';
import { planIdParam } from './params.ts';

const text = (max: number) => z.string().min(1).max(max);

export const ItemAnswerBody = z
  .object({
    decision: Decision.nullable(),
    actions: z
      .array(
        z
          .object({
            text: text(10_000),
            owners: z.array(text(200)).max(20),
            targets: z.array(z.object({ raw: text(200) }).strict()).max(20),
          })
          .strict(),
      )
      .max(50),
    /** The item's version as read (optional): answering on top of a changed item is a 409. */
    version: z.number().int().nonnegative().optional(),
  })
  .strict();

/** PUT /plans/{id}/items/{ref}/response: answer one item of a draft. */
export const handler = httpHandler(
  {
    auth: 'required',
    path: z.object({ id: planIdParam, ref: z.string().min(1).max(40) }),
    body: ItemAnswerBody,
  },
  async ({ path, body }, principal) => {
    const { version, ...answer } = body;
    const result = await answerDraftItem(
      { planId: path.id, ref: path.ref, answer, ...(version === undefined ? {} : { version }) },
      principal,
      apiDependencies(),
    );
    return { body: result };
  },
);
