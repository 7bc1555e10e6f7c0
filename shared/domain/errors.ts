/**
 * Typed errors of the domain. Each carries a stable `code` (mapped to HTTP and exit codes in one
 * place by the callers) and a message a person can act on.
 */

export type DomainErrorCode =
  | 'INVALID_TEXTRACT_RESPONSE'
  | 'NO_TABLE_FOUND'
  | 'UNRECOGNISED_TABLE'
  | 'NO_REF_COLUMN'
  | 'EMPTY_FILE'
  | 'NOT_A_PDF'
  | 'ENCRYPTED_PDF'
  | 'CORRUPT_PDF'
  | 'NO_TEXT_LAYER'
  | 'TOO_LARGE'
  | 'DOCUMENT_REJECTED'
  | 'NO_RECOMMENDATIONS_FOUND';

/** Where in the document a problem was found (1-based page; row within that page's table). */
export interface DocumentLocation {
  page?: number;
  row?: number;
}

export class DomainError extends Error {
  readonly code: DomainErrorCode;
  readonly location: DocumentLocation | undefined;

  constructor(code: DomainErrorCode, message: string, location?: DocumentLocation) {
    super(location ? `${message} (${describeLocation(location)})` : message);
    this.name = 'DomainError';
    this.code = code;
    this.location = location;
  }
}

/** The input is not a document we can read as an action plan: the user must fix or replace it. */
export class UnreadableDocumentError extends DomainError {
  constructor(code: DomainErrorCode, message: string, location?: DocumentLocation) {
    super(code, message, location);
    this.name = 'UnreadableDocumentError';
  }
}

export function describeLocation({ page, row }: DocumentLocation): string {
  const parts: string[] = [];
  if (page !== undefined) parts.push(`page ${page}`);
  if (row !== undefined) parts.push(`row ${row}`);
  return parts.join(', ');
}
