import { ROLES } from '../../shared/domain/access.ts';
import { APPROVAL_DECISIONS, APPROVAL_RULES } from '../../shared/domain/approval.ts';
import { ACTION_STATUSES } from '../../shared/domain/action-status.ts';
import { DECISIONS, ITEM_KINDS, PLAN_FORMATS, PLAN_STATUSES } from '../../shared/domain/plan.ts';

/**
 * The OpenAPI 3.1 description of the query API, served at GET /openapi.json. The contract tests
 * validate real responses of every route against it (tests/api/), so it cannot drift from the code.
 * Schemas are JSON Schema 2020-12; operations are keyed by path, then method.
 */

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const nullable = (schema: Record<string, unknown>) => ({ anyOf: [schema, { type: 'null' }] });
const string = { type: 'string' };
const isoDate = { type: 'string', format: 'date' };
const dateTime = { type: 'string', format: 'date-time' };
const integer = { type: 'integer', minimum: 0 };
const object = (properties: Record<string, unknown>, required = Object.keys(properties)) => ({
  type: 'object',
  properties,
  required,
  additionalProperties: false,
});
const pageOf = (item: string) =>
  object({ items: { type: 'array', items: ref(item) }, cursor: { ...string, description: 'Pass back for the next page; absent on the last.' } }, ['items']);

const json = (schema: unknown) => ({ 'application/json': { schema } });
const ok = (description: string, schema: unknown, csv = false) => ({
  description,
  content: { ...json(schema), ...(csv ? { 'text/csv': { schema: { type: 'string' } } } : {}) },
});
const problems = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((status) => [String(status), { $ref: `#/components/responses/Problem${status}` }]));

const query = (name: string, schema: unknown, description: string) => ({ name, in: 'query', required: false, schema, description });
const pathParam = (name: string, description: string) => ({ name, in: 'path', required: true, schema: string, description });
const paging = [
  query('limit', { type: 'integer', minimum: 1, maximum: 100, default: 50 }, 'Page size, 1 to 100.'),
  query('cursor', string, 'The `cursor` of the previous page of the same query.'),
];
const format = query('format', { enum: ['json', 'csv'] }, 'csv: the page as CSV (same as Accept: text/csv).');
const secured = [{ bearer: [] }];

const PROBLEM_TITLES: Record<number, string> = {
  400: 'The request is not valid',
  401: 'No valid bearer token',
  403: 'The caller may not do this',
  404: 'Not found',
  409: 'Conflict with the current state',
  422: 'The content cannot be processed',
};

const target = object({ raw: string, due: nullable(isoDate) });
const action = object({ text: string, owners: { type: 'array', items: string }, targets: { type: 'array', items: ref('Target') } });
const planListing = object({
  planId: string,
  establishment: nullable(string),
  establishmentId: nullable(string),
  status: { enum: [...PLAN_STATUSES] },
  format: nullable({ enum: [...PLAN_FORMATS] }),
  source: string,
  inspection: nullable(object({ from: isoDate, to: isoDate })),
  reportPublished: nullable(isoDate),
  planSubmitted: nullable(isoDate),
  currentRevision: { type: 'integer', minimum: 1 },
  itemCount: integer,
  actionCount: integer,
  createdAt: dateTime,
  updatedAt: dateTime,
});
const counts = { type: 'object', additionalProperties: integer };

export const OPENAPI_DOCUMENT = {
  openapi: '3.1.0',
  jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
  info: {
    title: 'Inspection action plans: query API',
    version: '1.0.0',
    description:
      'Plans read from HMIP inspection action plans, their items and actions, uploads. Every list is ' +
      'cursor-paged (limit ≤ 100, opaque cursor); errors are application/problem+json (RFC 9457).',
  },
  servers: [{ url: '/' }],
  security: secured,
  paths: {
    '/openapi.json': {
      get: {
        operationId: 'getOpenApi',
        summary: 'This document',
        security: [],
        responses: { '200': ok('The OpenAPI document', { type: 'object' }) },
      },
    },
    '/uploads': {
      post: {
        operationId: 'requestUpload',
        summary: 'Grant a presigned upload of a plan or report PDF (staff, admin)',
        requestBody: { required: true, content: json(ref('UploadRequestBody')) },
        responses: { '201': ok('PUT the PDF to upload.url with upload.headers', ref('UploadGrant')), ...problems(400, 401, 403) },
      },
    },
    '/uploads/{id}': {
      get: {
        operationId: 'getUpload',
        summary: 'Where an upload stands (its requester, admin)',
        parameters: [pathParam('id', 'The uploadId POST /uploads returned.')],
        responses: { '200': ok('The upload status', ref('UploadStatus')), ...problems(400, 401, 403, 404) },
      },
    },
    '/plans': {
      get: {
        operationId: 'listPlans',
        summary: 'Plans newest first, by establishment, status and date',
        parameters: [
          query('establishment', string, 'Establishment id (GET /establishments).'),
          query('status', { enum: [...PLAN_STATUSES] }, 'Only plans in this status.'),
          query('from', isoDate, 'Listed under this date or later (publication date, else inspection end).'),
          query('to', isoDate, 'Listed under this date or earlier.'),
          ...paging,
        ],
        responses: { '200': ok('A page of plans', ref('PlanPage')), ...problems(400, 401, 403, 422) },
      },
    },
    '/plans/{id}': {
      get: {
        operationId: 'getPlan',
        summary: 'A plan with summary counts',
        parameters: [pathParam('id', 'Plan id.')],
        responses: { '200': ok('The plan', ref('PlanDetail')), ...problems(400, 401, 403, 404) },
      },
    },
    '/plans/{id}/items': {
      get: {
        operationId: 'listPlanItems',
        summary: "A plan's items in document order; JSON or CSV (one row per action)",
        parameters: [
          pathParam('id', 'Plan id.'),
          query('kind', { enum: [...ITEM_KINDS] }, 'Item kind.'),
          query('decision', { enum: [...DECISIONS, 'none'] }, 'Decision; none: items without one.'),
          query('section', string, 'Section, any case.'),
          query('owner', string, 'Items with an action of this owner, any case.'),
          format,
          ...paging,
        ],
        responses: { '200': ok('A page of items', ref('ItemPage'), true), ...problems(400, 401, 403, 404) },
      },
    },
    '/plans/{id}/items/{ref}/response': {
      put: {
        operationId: 'answerDraftItem',
        summary: 'Answer one item of a draft plan (staff of its establishment, admin)',
        parameters: [pathParam('id', 'Plan id.'), pathParam('ref', 'Item ref as printed ("5.1").')],
        requestBody: { required: true, content: json(ref('ItemAnswer')) },
        responses: { '200': ok('The answered item and the draft’s progress', ref('AnswerResult')), ...problems(400, 401, 403, 404, 409, 422) },
      },
    },
    '/actions': {
      get: {
        operationId: 'listActions',
        summary: 'Actions across plans, earliest due first; give owner, dueBefore or overdue=true',
        parameters: [
          query('owner', string, 'Owner as printed, any case ("Head of Safety").'),
          query('dueBefore', isoDate, 'Due before this date.'),
          query('overdue', { enum: ['true', 'false'] }, 'true: due before today and not completed.'),
          query('status', { enum: [...ACTION_STATUSES] }, 'Only actions in this status.'),
          format,
          ...paging,
        ],
        responses: { '200': ok('A page of actions', ref('ActionPage'), true), ...problems(400, 401, 403) },
      },
    },
    '/establishments': {
      get: {
        operationId: 'listEstablishments',
        summary: 'Establishments with stored plans, by id',
        parameters: [...paging],
        responses: { '200': ok('A page of establishments', ref('EstablishmentPage')), ...problems(400, 401, 403) },
      },
    },
    '/plans/{id}/approval': {
      post: {
        operationId: 'sendPlanForApproval',
        summary: "Start the approval of the plan's current revision (staff of its establishment, admin); again while it runs: the same run",
        parameters: [pathParam('id', 'Plan id.')],
        responses: { '202': ok('The approval run started (or already running)', ref('ApprovalStarted')), ...problems(400, 401, 403, 404, 409, 422) },
      },
    },
    '/plans/{id}/audit': {
      get: {
        operationId: 'listPlanAudit',
        summary:
          "Every approval decision on the plan, oldest first: to staff of its establishment, the approvers who approve for it, and admins (client details to admins only)",
        parameters: [pathParam('id', 'Plan id.')],
        responses: { '200': ok('The audit', ref('ApprovalAudit')), ...problems(400, 401, 403, 404) },
      },
    },
    '/establishments/{id}/approvers': {
      get: {
        operationId: 'getApprovers',
        summary: "The establishment's approval chain, or the default it gets (its staff, approvers, admins)",
        parameters: [pathParam('id', 'Establishment id.')],
        responses: { '200': ok('The approval chain', ref('ApprovalChainView')), ...problems(400, 401, 403, 404) },
      },
      put: {
        operationId: 'putApprovers',
        summary: "Set the establishment's approval chain (admins); runs already started keep theirs",
        parameters: [pathParam('id', 'Establishment id.')],
        requestBody: { required: true, content: json(ref('ApprovalChain')) },
        responses: { '200': ok('The approval chain set', ref('ApprovalChainView')), ...problems(400, 401, 403) },
      },
    },
  } as Record<string, Record<string, unknown>>,
  components: {
    securitySchemes: {
      bearer: {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description: 'A Cognito ID token (locally: `npm run token`). Role: custom:role or cognito:groups; staff: custom:establishment.',
      },
    },
    responses: Object.fromEntries(
      Object.entries(PROBLEM_TITLES).map(([status, description]) => [
        `Problem${status}`,
        { description, content: { 'application/problem+json': { schema: ref('Problem') } } },
      ]),
    ),
    schemas: {
      Problem: object(
        {
          type: { type: 'string', format: 'uri' },
          title: string,
          status: { type: 'integer', minimum: 400, maximum: 599 },
          detail: string,
          instance: string,
          errors: { type: 'array', items: object({ pointer: string, message: string }) },
        },
        ['type', 'title', 'status', 'detail', 'instance'],
      ),
      Target: target,
      Action: action,
      PlanListing: planListing,
      PlanPage: pageOf('PlanListing'),
      PlanDetail: object({
        plan: {
          ...planListing,
          properties: {
            ...planListing.properties,
            summary: nullable({ type: 'object' }),
            warnings: { type: 'array', items: string },
            uploadedBy: {
              ...nullable(ref('Uploader')),
              description: 'Who uploaded the current revision; null for revisions stored before uploaders were recorded.',
            },
          },
          required: [...planListing.required, 'summary', 'warnings', 'uploadedBy'],
        },
        counts: object({
          items: integer,
          actions: integer,
          itemsByKind: counts,
          itemsByDecision: counts,
          actionsByStatus: object({ open: integer, overdue: integer, completed: integer }),
          undatedActions: integer,
          answeredItems: integer,
        }),
      }),
      Uploader: object({
        subject: { ...nullable(string), description: "The uploader's identity provider subject (`sub`); null, like `email`, for readers who are not the establishment's staff, its approvers or admins." },
        role: { enum: [...ROLES] },
        email: nullable(string),
        establishmentId: { ...nullable(string), description: 'The establishment a member of staff uploads for; null for admins.' },
      }),
      Item: object({
        ordinal: { type: 'integer', minimum: 1 },
        version: integer,
        ref: string,
        kind: { enum: [...ITEM_KINDS] },
        addressee: nullable(string),
        section: nullable(string),
        text: string,
        decision: nullable({ enum: [...DECISIONS] }),
        actions: { type: 'array', items: ref('Action') },
      }),
      ItemPage: pageOf('Item'),
      ActionEntry: object({
        planId: string,
        establishment: nullable(string),
        establishmentId: nullable(string),
        itemRef: string,
        itemKind: { enum: [...ITEM_KINDS] },
        itemOrdinal: { type: 'integer', minimum: 1 },
        actionOrdinal: { type: 'integer', minimum: 1 },
        text: string,
        owners: { type: 'array', items: string },
        targets: { type: 'array', items: ref('Target') },
        due: nullable(isoDate),
        status: { enum: [...ACTION_STATUSES] },
      }),
      ActionPage: pageOf('ActionEntry'),
      Establishment: object({ establishmentId: string, name: string, planCount: integer, firstStoredAt: dateTime, updatedAt: dateTime }),
      EstablishmentPage: pageOf('Establishment'),
      UploadRequestBody: object(
        { kind: { enum: ['plan', 'report'] }, fileName: { type: 'string', minLength: 1, maxLength: 255, description: 'The file\'s name: it becomes the plan\'s source' } },
        ['kind'],
      ),
      UploadGrant: object({
        uploadId: { type: 'string', format: 'uuid' },
        kind: { enum: ['plan', 'report'] },
        upload: object({ url: { type: 'string', format: 'uri' }, method: { const: 'PUT' }, headers: { type: 'object', additionalProperties: string } }),
        expiresAt: dateTime,
        statusUrl: string,
      }),
      UploadStatus: object({
        uploadId: { type: 'string', format: 'uuid' },
        kind: { enum: ['plan', 'report'] },
        status: { enum: ['awaiting_file', 'queued', 'analysing', 'parsed', 'failed'] },
        reason: nullable(string),
        pages: object({
          analysed: { ...nullable(integer), description: 'Pages read so far where the analyser reports progress (the local one does); null while Textract analyses (it reports none)' },
          total: nullable(integer),
        }),
        plan: nullable(object({ planId: string, revision: { type: 'integer', minimum: 1 } })),
        requestedAt: dateTime,
        updatedAt: dateTime,
        urlExpiresAt: dateTime,
      }),
      ItemAnswer: object(
        {
          decision: nullable({ enum: [...DECISIONS] }),
          actions: {
            type: 'array',
            maxItems: 50,
            items: object({
              text: { type: 'string', minLength: 1 },
              owners: { type: 'array', items: { type: 'string', minLength: 1 } },
              targets: { type: 'array', items: object({ raw: { type: 'string', minLength: 1 } }) },
            }),
          },
          version: { ...integer, description: 'The version read; a changed item is then a 409.' },
        },
        ['decision', 'actions'],
      ),
      Person: object({ name: { type: 'string', minLength: 1, maxLength: 200 }, email: { type: 'string', format: 'email', maxLength: 254 } }),
      Approver: object(
        {
          name: { type: 'string', minLength: 1, maxLength: 200 },
          email: { type: 'string', format: 'email', maxLength: 254 },
          deputy: ref('Person'),
        },
        ['name', 'email'],
      ),
      ApprovalStage: object({
        name: { type: 'string', minLength: 1, maxLength: 100 },
        rule: { enum: [...APPROVAL_RULES], description: 'any: one approval passes the stage; all: every approver must approve' },
        approvers: { type: 'array', minItems: 1, maxItems: 20, items: ref('Approver') },
      }),
      ApprovalChain: object({
        stages: { type: 'array', minItems: 1, maxItems: 10, items: ref('ApprovalStage') },
        planOwners: { type: 'array', maxItems: 50, items: ref('Person'), description: 'Told when changes are requested or the plan is approved' },
      }),
      ApprovalChainView: object({
        establishmentId: string,
        chain: ref('ApprovalChain'),
        source: { enum: ['establishment', 'default'] },
        updatedAt: nullable(dateTime),
        updatedBy: nullable(string),
      }),
      ApprovalStarted: object({ planId: string, revision: { type: 'integer', minimum: 1 }, executionId: string, alreadyStarted: { type: 'boolean' } }),
      ApprovalAuditEntry: object({
        planId: string,
        revision: { type: 'integer', minimum: 1 },
        stageIndex: integer,
        stageName: string,
        decision: { enum: [...APPROVAL_DECISIONS] },
        comment: nullable(string),
        decidedBy: ref('Person'),
        onBehalfOf: nullable(ref('Person')),
        decidedAt: dateTime,
        linkId: string,
        clientIpHash: nullable(string),
        userAgent: nullable(string),
        applied: { type: 'boolean', description: 'false: the approval had ended before the decision arrived' },
      }),
      ApprovalAudit: object({ planId: string, entries: { type: 'array', items: ref('ApprovalAuditEntry') } }),
      AnswerResult: object({
        item: ref('Item'),
        plan: object({ planId: string, status: { enum: ['awaiting_response', 'parsed'] }, itemCount: integer, answeredItems: integer }),
      }),
    } as Record<string, unknown>,
  },
};
