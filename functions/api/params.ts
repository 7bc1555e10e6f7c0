import { z } from 'zod';

/** Path parameters several routes share. */
export const planIdParam = z.string().regex(/^[a-z0-9-]{1,120}$/, 'a plan id such as long-lartin-2023-04-12');

/** An establishment id as the plan store derives it ("long-lartin"). */
export const establishmentIdParam = z.string().regex(/^[a-z0-9-]{1,80}$/, 'an establishment id such as long-lartin');
