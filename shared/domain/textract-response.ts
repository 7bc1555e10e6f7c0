/**
 * The subset of Amazon Textract's AnalyzeDocument / GetDocumentAnalysis response that the plan
 * reader uses. Field names and casing follow the AWS API exactly, so a response from
 * `@aws-sdk/client-textract` (or a JSON file saved from it) is assignable to these types; the
 * domain never imports the SDK itself.
 */

export type BlockType =
  | 'PAGE'
  | 'LINE'
  | 'WORD'
  | 'TABLE'
  | 'CELL'
  | 'MERGED_CELL'
  | 'TABLE_TITLE'
  | 'TABLE_FOOTER'
  | 'KEY_VALUE_SET'
  | 'SELECTION_ELEMENT'
  | 'QUERY'
  | 'QUERY_RESULT'
  | 'SIGNATURE'
  | (string & {});

export interface BoundingBox {
  /** All four are ratios of the page's width or height, 0..1, origin top-left. */
  Width?: number;
  Height?: number;
  Left?: number;
  Top?: number;
}

export interface Point {
  X?: number;
  Y?: number;
}

export interface Geometry {
  BoundingBox?: BoundingBox;
  Polygon?: Point[];
}

export interface Relationship {
  Type?:
    | 'CHILD'
    | 'VALUE'
    | 'COMPLEX_FEATURES'
    | 'MERGED_CELL'
    | 'TITLE'
    | 'TABLE_TITLE'
    | 'TABLE_FOOTER'
    | (string & {});
  Ids?: string[];
}

export interface Block {
  BlockType?: BlockType;
  Id?: string;
  Text?: string;
  TextType?: string;
  Confidence?: number;
  Geometry?: Geometry;
  Relationships?: Relationship[];
  /** 1-based. Present in asynchronous (GetDocumentAnalysis) responses; absent in synchronous ones. */
  Page?: number;
  RowIndex?: number;
  ColumnIndex?: number;
  RowSpan?: number;
  ColumnSpan?: number;
  EntityTypes?: string[];
  SelectionStatus?: string;
}

export interface DocumentMetadata {
  Pages?: number;
}

/** One AnalyzeDocument response, or one page of GetDocumentAnalysis results. */
export interface TextractResponse {
  DocumentMetadata?: DocumentMetadata;
  Blocks?: Block[];
  JobStatus?: string;
  NextToken?: string | null;
  StatusMessage?: string;
  Warnings?: { ErrorCode?: string; Pages?: number[] }[];
  AnalyzeDocumentModelVersion?: string;
}
