import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { type ApiRoute, API_ROUTES } from '../../functions/api/routes.ts';
import { problem, problemResponse } from '../../functions/lib/http-errors.ts';
import { checkLocalUpload, LOCAL_UPLOAD_PATH } from '../../shared/adapters/local/local-upload-url-signer.ts';
import { verifyDevToken } from './dev-tokens.ts';

/**
 * The local twin of API Gateway's HTTP API: matches the same route table the CDK construct deploys,
 * checks `Authorization: Bearer` tokens as the JWT authorizer does (here against the dev signing
 * key; missing or bad → 401 problem+json before any handler runs), and hands the route's handler
 * the payload format 2.0 event API Gateway would, claims included, so handlers cannot tell.
 * `PUT /local-uploads/<key>` plays the presigned S3 PUT: only with the signature the local signer
 * gave (403 otherwise, nothing stored), and 503 when the file cannot be stored or received.
 * A body over 50 MB gets 413; a path that is not valid percent-encoding, 400.
 */

type Handler = (event: APIGatewayProxyEventV2WithJWTAuthorizer, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

export interface LocalApiGatewayOptions {
  signingKey: Uint8Array;
  routes?: readonly ApiRoute[];
  /** Receives a file PUT to `/local-uploads/<key>` (the local presigned URL); a failure answers 503. */
  receiveUpload?: (key: string, bytes: Uint8Array) => Promise<unknown>;
  /** The key the local upload URLs are signed with (LOCAL_UPLOAD_SIGNING_KEY_FILE's); needed with receiveUpload. */
  uploadSigningKey?: Uint8Array;
}

const repository = fileURLToPath(new URL('../..', import.meta.url));
export const MAX_BODY_BYTES = 50 * 1024 * 1024;
export const LOCAL_UPLOAD_SIGNING_KEY_PATH = join(repository, '.local', 'upload-signing-key');
/** Seconds a client is told to wait before sending an upload again that could not be stored. */
const UPLOAD_RETRY_AFTER_SECONDS = 5;

class BodyTooLargeError extends Error {
  constructor() {
    super(`The request body is larger than ${MAX_BODY_BYTES / (1024 * 1024)} MB`);
    this.name = 'BodyTooLargeError';
  }
}

/** The path's segments decoded; null when one is not valid percent-encoding. */
function decodeSegments(segments: readonly string[]): string[] | null {
  try {
    return segments.map(decodeURIComponent);
  } catch {
    return null;
  }
}

interface CompiledRoute {
  route: ApiRoute;
  pattern: RegExp;
  names: string[];
}

function compile(route: ApiRoute): CompiledRoute {
  const names: string[] = [];
  const source = route.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{(\w+)\\?\}|\{(\w+)\}/g, (_, a: string, b: string) => {
    names.push(a ?? b);
    return '([^/]+)';
  });
  return { route, pattern: new RegExp(`^${source}$`), names };
}

/** API Gateway renders claims as strings; arrays as "[a b]". */
function claimsAsApiGateway(payload: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(payload).map(([name, value]) => [name, Array.isArray(value) ? `[${value.join(' ')}]` : String(value)]),
  );
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  if (Number(request.headers['content-length'] ?? 0) > MAX_BODY_BYTES) throw new BodyTooLargeError();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLargeError();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function send(response: ServerResponse, result: APIGatewayProxyStructuredResultV2): void {
  const body = result.body === undefined ? '' : result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body;
  response.writeHead(result.statusCode ?? 200, result.headers as Record<string, string>);
  response.end(body);
}

function lambdaContext(route: ApiRoute, requestId: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: `local-${route.id}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:local-${route.id}`,
    memoryLimitInMB: '1024',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/local-${route.id}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export function createLocalApiGateway(options: LocalApiGatewayOptions): RequestListener {
  if (options.receiveUpload && !options.uploadSigningKey) throw new Error('The local upload route needs the key its URLs are signed with (uploadSigningKey)');
  const compiled = (options.routes ?? API_ROUTES).map(compile);
  const handlers = new Map<string, Promise<Handler>>();
  const handlerOf = (route: ApiRoute) => {
    let loaded = handlers.get(route.id);
    if (!loaded) {
      loaded = import(pathToFileURL(join(repository, route.entry)).href).then((module: { handler: Handler }) => module.handler);
      handlers.set(route.id, loaded);
    }
    return loaded;
  };

  return (request, response) => {
    void (async () => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      const method = (request.method ?? 'GET').toUpperCase();
      const requestId = randomUUID();
      try {
        if (method === 'PUT' && url.pathname.startsWith(LOCAL_UPLOAD_PATH) && options.receiveUpload) {
          await putLocalUpload(request, response, url, options.receiveUpload, options.uploadSigningKey!);
          return;
        }
        const candidates = compiled.filter(({ pattern }) => pattern.test(url.pathname));
        const match = candidates.find(({ route }) => route.method === method);
        if (!match) {
          send(response, candidates.length
            ? { statusCode: 405, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: 'Method Not Allowed' }) }
            : { statusCode: 404, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: 'Not Found' }) });
          return;
        }
        const { route, pattern, names } = match;
        let claims: Record<string, string> | undefined;
        if (route.auth === 'required') {
          const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
          const payload = bearer ? await verifyDevToken(bearer, options.signingKey) : null;
          if (!payload) {
            send(response, problemResponse(problem('unauthenticated', bearer ? 'The bearer token is not valid' : 'A bearer token is required', url.pathname), { 'www-authenticate': 'Bearer' }));
            return;
          }
          claims = claimsAsApiGateway(payload);
        }
        const values = decodeSegments(pattern.exec(url.pathname)!.slice(1));
        if (!values) {
          send(response, problemResponse(problem('invalid', 'The path is not valid percent-encoding', url.pathname)));
          return;
        }
        const body = await readBody(request);
        const headers = Object.fromEntries(
          Object.entries(request.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(',') : (value ?? '')]),
        );
        const query: Record<string, string> = {};
        for (const [name, value] of url.searchParams) query[name] = name in query ? `${query[name]},${value}` : value;
        const now = new Date();
        const event: APIGatewayProxyEventV2WithJWTAuthorizer = {
          version: '2.0',
          routeKey: `${route.method} ${route.path}`,
          rawPath: url.pathname,
          rawQueryString: url.search.slice(1),
          headers,
          ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
          ...(names.length ? { pathParameters: Object.fromEntries(names.map((name, i) => [name, values[i]!])) } : {}),
          ...(body.length ? { body: body.toString('base64') } : {}),
          isBase64Encoded: body.length > 0,
          requestContext: {
            accountId: 'local',
            apiId: 'local',
            domainName: headers.host ?? 'localhost',
            domainPrefix: 'localhost',
            http: {
              method,
              path: url.pathname,
              protocol: `HTTP/${request.httpVersion}`,
              sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
              userAgent: headers['user-agent'] ?? '',
            },
            requestId,
            routeKey: `${route.method} ${route.path}`,
            stage: '$default',
            time: now.toISOString(),
            timeEpoch: now.getTime(),
            authorizer: { principalId: '', integrationLatency: 0, jwt: { claims: claims ?? {}, scopes: [] } },
          },
        } as APIGatewayProxyEventV2WithJWTAuthorizer;
        if (route.auth === 'none') delete (event.requestContext as Partial<typeof event.requestContext>).authorizer;
        const handler = await handlerOf(route);
        send(response, await handler(event, lambdaContext(route, requestId)));
      } catch (error) {
        if (error instanceof BodyTooLargeError) {
          refuseBody(request, response, problemResponse(problem('too-large', error.message, url.pathname)));
          return;
        }
        console.error(error);
        if (!response.headersSent) {
          send(response, problemResponse(problem('internal', 'The local gateway could not run the handler', url.pathname)));
        }
      }
    })();
  };
}

/**
 * The presigned PUT's stand-in: the signature must match the key in the path, the Content-Type
 * sent and the expiry (403 problem+json otherwise, the body unread and nothing stored); then the
 * file is handed over, and a failure to store or receive it is a 503 the client may retry.
 */
async function putLocalUpload(
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  receiveUpload: (key: string, bytes: Uint8Array) => Promise<unknown>,
  signingKey: Uint8Array,
): Promise<void> {
  const segments = decodeSegments(url.pathname.slice(LOCAL_UPLOAD_PATH.length).split('/'));
  if (!segments) {
    refuseBody(request, response, problemResponse(problem('invalid', 'The path is not valid percent-encoding', url.pathname)));
    return;
  }
  const key = segments.join('/');
  const check = checkLocalUpload(
    signingKey,
    { method: 'PUT', key, contentType: request.headers['content-type'] ?? '', expires: url.searchParams.get('expires'), signature: url.searchParams.get('signature') },
    new Date(),
  );
  if (!check.ok) {
    refuseBody(request, response, problemResponse(problem('forbidden', check.reason, url.pathname)));
    return;
  }
  const bytes = new Uint8Array(await readBody(request));
  try {
    await receiveUpload(key, bytes);
  } catch (error) {
    console.error(`local upload ${key} could not be stored or received:`, error);
    send(
      response,
      problemResponse(problem('unavailable', 'The file could not be stored just now; send it again in a moment', url.pathname), {
        'retry-after': String(UPLOAD_RETRY_AFTER_SECONDS),
      }),
    );
    return;
  }
  send(response, { statusCode: 200, body: '' });
}

/** Answers without reading the body: the rest of it is discarded and the connection closed after the answer. */
function refuseBody(request: IncomingMessage, response: ServerResponse, result: APIGatewayProxyStructuredResultV2): void {
  request.resume();
  send(response, { ...result, headers: { ...result.headers, connection: 'close' } });
}

/**
 * The environment the API's handlers read (functions/lib/api-runtime.ts), pointed at the local
 * stand-ins: what CDK gives the Lambdas on AWS. The handlers run in this process, so it is set on
 * `process.env`, before any of them is first called.
 */
export function setLocalApiEnvironment({
  dynamodbEndpoint,
  tableName,
  gatewayUrl,
  uploadSigningKeyPath = LOCAL_UPLOAD_SIGNING_KEY_PATH,
}: {
  dynamodbEndpoint: string;
  tableName: string;
  gatewayUrl: string;
  /** The key the local upload URLs are signed with (the gateway's uploadSigningKey): default `.local/upload-signing-key`. */
  uploadSigningKeyPath?: string;
}): void {
  Object.assign(process.env, {
    AWS_REGION: 'local',
    TABLE_NAME: tableName,
    DYNAMODB_ENDPOINT: dynamodbEndpoint,
    UPLOAD_BUCKET: 'uploads',
    LOCAL_UPLOAD_GATEWAY_URL: gatewayUrl,
    LOCAL_UPLOAD_SIGNING_KEY_FILE: uploadSigningKeyPath,
  });
}
