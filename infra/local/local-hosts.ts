import type { RequestListener } from 'node:http';
import { isIP } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';

/**
 * Where the local server listens, and which Host headers it answers. By default it listens on the
 * loopback addresses only (127.0.0.1 and ::1: "localhost" is either), so nothing on the network
 * reaches it; `npm start -- --host <address>` widens that on purpose. Whatever the address, a
 * request whose Host is not one of this server's names is refused (421): a web page on another
 * site cannot reach the server through a DNS name re-pointed at 127.0.0.1 (DNS rebinding).
 */

export const LOOPBACK_ADDRESSES = ['127.0.0.1', '::1'] as const;

export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || (isIP(bare) === 4 && bare.startsWith('127.'));
}

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]';
}

/** An address as a Host header names it: IPv6 in brackets. */
function asHostName(address: string): string {
  const bare = address.replace(/^\[|\]$/g, '').toLowerCase();
  return isIP(bare) === 6 ? `[${bare}]` : bare;
}

/**
 * The Host headers the server answers: `localhost`, `127.0.0.1` and `[::1]` with the port, and
 * the address it listens on (on 0.0.0.0 or ::, every address of this machine's interfaces and its
 * host name). Without the port too when the port is 80.
 */
export function allowedHostHeaders(listenHost: string, port: number): Set<string> {
  const names = new Set(['localhost', '127.0.0.1', '[::1]']);
  if (isWildcard(listenHost)) {
    for (const addresses of Object.values(networkInterfaces())) for (const { address } of addresses ?? []) names.add(asHostName(address));
    names.add(hostname().toLowerCase());
  } else {
    names.add(asHostName(listenHost));
  }
  const allowed = new Set<string>();
  for (const name of names) {
    allowed.add(`${name}:${port}`);
    if (port === 80) allowed.add(name);
  }
  return allowed;
}

/** Hands on the requests whose Host header is allowed; answers the others 421 with a plain message. */
export function refuseForeignHosts(allowed: ReadonlySet<string>, listener: RequestListener): RequestListener {
  const example = [...allowed][0] ?? 'localhost';
  return (request, response) => {
    const host = request.headers.host?.toLowerCase();
    if (host !== undefined && allowed.has(host)) {
      listener(request, response);
      return;
    }
    request.resume();
    response
      .writeHead(421, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', connection: 'close' })
      .end(`This local server answers only to its own names, such as http://${example}/ (the request named ${host ? `“${host}”` : 'no host'}).\n`);
  };
}
