import type { Plan } from '../domain/plan.ts';
import { readActionPlanDocument } from '../extraction/read-action-plan.ts';
import { type InspectionDocument, readInspectionDocument } from '../extraction/read-inspection-document.ts';
import { TextractDocumentReader } from '../extraction/textract-document.ts';
import type { TextractResponse } from '../domain/textract-response.ts';
import type { AnalysisProgress, DocumentAnalyser, DocumentToAnalyse } from '../ports/document-analyser.ts';

export interface ExtractOptions {
  onProgress?: (progress: AnalysisProgress) => void;
  /** Keep every result page of the analysis too (for `extract --blocks`); by default each is read and dropped. */
  keepAnalysis?: boolean;
}

export interface ExtractedPlan {
  plan: Plan;
  /** The analyser's result pages, when asked for. */
  analysis: TextractResponse[];
}

/**
 * Analyse an action-plan PDF (Textract, or the local analyser) and read the plan from its tables,
 * each result page read as it arrives.
 */
export async function extractPlan(
  document: DocumentToAnalyse,
  analyser: DocumentAnalyser,
  options: ExtractOptions = {},
): Promise<ExtractedPlan> {
  const { analysed, analysis } = await analyse(document, analyser, options);
  return { plan: readActionPlanDocument(analysed, document.name), analysis };
}

export interface ExtractedDocument {
  document: InspectionDocument;
  analysis: TextractResponse[];
}

/** Analyse a PDF and read it as whichever it is: an action plan, or an inspection report. */
export async function extractDocument(
  document: DocumentToAnalyse,
  analyser: DocumentAnalyser,
  options: ExtractOptions = {},
): Promise<ExtractedDocument> {
  const { analysed, analysis } = await analyse(document, analyser, options);
  return { document: readInspectionDocument(analysed, document.name), analysis };
}

async function analyse(document: DocumentToAnalyse, analyser: DocumentAnalyser, options: ExtractOptions) {
  const reader = new TextractDocumentReader();
  const analysis: TextractResponse[] = [];
  for await (const result of analyser.analyse(document, options.onProgress ? { onProgress: options.onProgress } : {})) {
    reader.add(result);
    if (options.keepAnalysis) analysis.push(result);
  }
  return { analysed: reader.finish(), analysis };
}
