import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { type ApiRoute, API_ROUTES } from '../../functions/api/routes.ts';
import { problem, problemResponse } from '../../functions/lib/http-errors.ts';
import { verifyDevToken } from './dev-tokens.ts';

/**
 * The local twin of API Gateway's HTTP API: matches the same route table the CDK construct deploys,
 * checks `Authorization: Bearer` tokens as the JWT authorizer does (here against the dev signing
 * key; missing or bad → 401 problem+json before any handler runs), and hands the route's handler
 * the payload format 2.0 event API Gateway would, claims included, so handlers cannot tell.
 * `PUT /local-uploads/<key>` plays the presigned S3 PUT.
 */

type Handler = (event: APIGatewayProxyEventV2WithJWTAuthorizer, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

export interface LocalApiGatewayOptions {
  signingKey: Uint8Array;
  routes?: readonly ApiRoute[];
  /** Receives a file PUT to `/local-uploads/<key>` (the local presigned URL). */
  receiveUpload?: (key: string, bytes: Uint8Array) => Promise<void>;
}

const repository = fileURLToPath(new URL('../..', import.meta.url));
const MAX_BODY_BYTES = 50 * 1024 * 1024;

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
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error('body too large');
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
        if (method === 'PUT' && url.pathname.startsWith('/local-uploads/') && options.receiveUpload) {
          const expires = url.searchParams.get('expires');
          if (!expires || new Date() > new Date(expires)) {
            send(response, problemResponse(problem('forbidden', 'The upload URL has expired', url.pathname)));
            return;
          }
          const key = url.pathname.slice('/local-uploads/'.length).split('/').map(decodeURIComponent).join('/');
          await options.receiveUpload(key, new Uint8Array(await readBody(request)));
          send(response, { statusCode: 200, body: '' });
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
        const values = pattern.exec(url.pathname)!.slice(1).map(decodeURIComponent);
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
        console.error(error);
        if (!response.headersSent) {
          send(response, problemResponse(problem('internal', 'The local gateway could not run the handler', url.pathname)));
        }
      }
    })();
  };
}

/**
 * The environment the API's handlers read (functions/lib/api-runtime.ts), pointed at the local
 * stand-ins: what CDK gives the Lambdas on AWS. The handlers run in this process, so it is set on
 * `process.env`, before any of them is first called.
 */
export function setLocalApiEnvironment({ dynamodbEndpoint, tableName, gatewayUrl }: { dynamodbEndpoint: string; tableName: string; gatewayUrl: string }): void {
  Object.assign(process.env, {
    AWS_REGION: 'local',
    TABLE_NAME: tableName,
    DYNAMODB_ENDPOINT: dynamodbEndpoint,
    UPLOAD_BUCKET: 'uploads',
    LOCAL_UPLOAD_GATEWAY_URL: gatewayUrl,
  });
}
