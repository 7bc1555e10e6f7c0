/**
 * The query API's routes, read by the CDK construct (one API Gateway route and one Lambda each,
 * infra/constructs/query-api.ts) and by the local gateway (infra/local/local-api-gateway.ts), so
 * the two never drift. Adding a route is one entry here, its handler file, and its OpenAPI operation.
 */

/** DynamoDB item actions a route's function is granted on the table (not its indexes). */
export type TableAction = 'GetItem' | 'BatchGetItem' | 'Query' | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'BatchWriteItem' | 'ConditionCheckItem';

export interface ApiRoute {
  /** Names the route's construct and Lambda (PascalCase). */
  id: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** API Gateway's path template: `/plans/{id}/items`. */
  path: string;
  /** The handler file, relative to the repository root; it exports `handler`. */
  entry: string;
  /** `required`: API Gateway's JWT authorizer (locally the gateway's dev-key check); `none`: public. */
  auth: 'required' | 'none';
  description: string;
  /** What the function may do, and nothing more. */
  access: {
    table?: TableAction[];
    indexes?: ('gsi1' | 'gsi2')[];
    /** Signs PUT URLs for objects under the upload prefixes. */
    signsUploads?: boolean;
  };
}

export const API_ROUTES: readonly ApiRoute[] = [
  {
    id: 'GetOpenApi',
    method: 'GET',
    path: '/openapi.json',
    entry: 'functions/api/get-openapi.ts',
    auth: 'none',
    description: 'The OpenAPI 3.1 document of this API',
    access: {},
  },
  {
    id: 'RequestUpload',
    method: 'POST',
    path: '/uploads',
    entry: 'functions/api/request-upload.ts',
    auth: 'required',
    description: 'Grants a presigned upload of a plan or report PDF',
    access: { table: ['PutItem'], signsUploads: true },
  },
  {
    id: 'GetUpload',
    method: 'GET',
    path: '/uploads/{id}',
    entry: 'functions/api/get-upload.ts',
    auth: 'required',
    description: 'The status of an upload',
    access: { table: ['GetItem'], indexes: ['gsi2'] },
  },
  {
    id: 'ListPlans',
    method: 'GET',
    path: '/plans',
    entry: 'functions/api/list-plans.ts',
    auth: 'required',
    description: 'Plans by establishment, status and date',
    access: { indexes: ['gsi1', 'gsi2'] },
  },
  {
    id: 'GetPlan',
    method: 'GET',
    path: '/plans/{id}',
    entry: 'functions/api/get-plan.ts',
    auth: 'required',
    description: 'A plan with its summary counts',
    access: { table: ['GetItem', 'Query'] },
  },
  {
    id: 'ListPlanItems',
    method: 'GET',
    path: '/plans/{id}/items',
    entry: 'functions/api/list-plan-items.ts',
    auth: 'required',
    description: 'The items of a plan, filtered; JSON or CSV',
    access: { table: ['GetItem', 'Query'] },
  },
  {
    id: 'AnswerDraftItem',
    method: 'PUT',
    path: '/plans/{id}/items/{ref}/response',
    entry: 'functions/api/answer-draft-item.ts',
    auth: 'required',
    description: 'Answers one item of a draft plan started from a report',
    access: { table: ['GetItem', 'Query', 'UpdateItem', 'PutItem', 'DeleteItem', 'BatchWriteItem'] },
  },
  {
    id: 'ListActions',
    method: 'GET',
    path: '/actions',
    entry: 'functions/api/list-actions.ts',
    auth: 'required',
    description: 'Actions across plans by owner and due date; JSON or CSV',
    // BatchGetItem: the current revision of the plans on a page (the indexes may lag behind it).
    access: { table: ['BatchGetItem'], indexes: ['gsi1', 'gsi2'] },
  },
  {
    id: 'ListEstablishments',
    method: 'GET',
    path: '/establishments',
    entry: 'functions/api/list-establishments.ts',
    auth: 'required',
    description: 'Establishments with stored plans',
    access: { indexes: ['gsi2'] },
  },
  {
    id: 'SendPlanForApproval',
    method: 'POST',
    path: '/plans/{id}/approval',
    entry: 'functions/api/send-plan-for-approval.ts',
    auth: 'required',
    description: 'Starts the approval of a plan\'s current revision',
    access: { table: ['GetItem', 'Query'] },
  },
  {
    id: 'ListPlanAudit',
    method: 'GET',
    path: '/plans/{id}/audit',
    entry: 'functions/api/list-plan-audit.ts',
    auth: 'required',
    description: 'The approval decisions on a plan',
    access: { table: ['GetItem', 'Query'] },
  },
  {
    id: 'GetApprovers',
    method: 'GET',
    path: '/establishments/{id}/approvers',
    entry: 'functions/api/get-approvers.ts',
    auth: 'required',
    description: 'An establishment\'s approval chain',
    access: { table: ['GetItem'] },
  },
  {
    id: 'PutApprovers',
    method: 'PUT',
    path: '/establishments/{id}/approvers',
    entry: 'functions/api/put-approvers.ts',
    auth: 'required',
    description: 'Sets an establishment\'s approval chain (admins)',
    access: { table: ['PutItem'] },
  },
];

/**
 * The approval link pages (HTML; public: the link's secret is the credential). Not in the OpenAPI
 * document: people open them from an email. The approval construct adds them to the same HTTP API
 * (infra/constructs/approval.ts), and the local gateway serves them with these entries.
 */
export const APPROVAL_LINK_ROUTES: readonly ApiRoute[] = (['GET', 'POST'] as const).map((method) => ({
  id: `ApprovalLink${method === 'GET' ? 'Page' : 'Decision'}`,
  method,
  path: '/approvals/{token}',
  entry: 'functions/approval-link.ts',
  auth: 'none',
  description: method === 'GET' ? 'Shows what an approval link would decide' : 'Records an approval link\'s decision',
  access: { table: ['GetItem', 'Query', 'PutItem', 'UpdateItem'] },
}));

/** The routes of the approval flow, whose use is tested with the flow (tests/api/approval-api.test.ts). */
export const APPROVAL_ROUTE_IDS: readonly string[] = ['SendPlanForApproval', 'ListPlanAudit', 'GetApprovers', 'PutApprovers'];
