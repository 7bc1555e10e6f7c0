/**
 * The Textract-shaped result pages the readers here take. The shape is the document analyser's
 * contract, so it lives in the domain (every analyser, Amazon's and the local one, produces it);
 * it is named here as well because the readers' callers hand those pages to them.
 */
export type * from '../domain/textract-response.ts';
