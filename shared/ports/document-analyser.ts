import type { TextractResponse } from '../domain/textract-response.ts';

/** A document to analyse: its bytes and the name it was uploaded under. */
export interface DocumentToAnalyse {
  bytes: Uint8Array;
  name: string;
}

export interface AnalysisProgress {
  page: number;
  pageCount: number;
}

/**
 * Reads the tables of a PDF. On AWS this is Amazon Textract (StartDocumentAnalysis with TABLES, then
 * every page of GetDocumentAnalysis results); locally it is the pdfjs-based analyser. Both answer
 * with Textract-shaped result pages, handed out as they are ready so a long document is never held
 * whole, and nothing downstream can tell the two apart.
 */
export interface DocumentAnalyser {
  analyse(
    document: DocumentToAnalyse,
    options?: { onProgress?: (progress: AnalysisProgress) => void },
  ): AsyncIterable<TextractResponse>;
}
