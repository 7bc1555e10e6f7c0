#!/usr/bin/env -S npx tsx
/**
 * token: mint a local dev token for the local API gateway (HS256, key in .local/dev-signing-key).
 *
 *   npm run token -- --role viewer|staff|approver|admin [--establishment <id>] [--email <address>] [--hours <n>]
 *
 * Prints the token; use it as `Authorization: Bearer <token>`.
 */
import { parseArgs } from 'node:util';
import { type Role, ROLES } from '../shared/domain/access.ts';
import { mintDevToken } from '../infra/local/dev-tokens.ts';

const USAGE = `usage: npm run token -- --role ${ROLES.join('|')} [--establishment <id>] [--email <address>] [--hours <n>]\n`;

async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        role: { type: 'string' },
        establishment: { type: 'string' },
        email: { type: 'string' },
        hours: { type: 'string' },
      },
    }));
  } catch (error) {
    process.stderr.write(`token: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const role = values.role as Role | undefined;
  if (!role || !ROLES.includes(role)) {
    process.stderr.write(USAGE);
    return 2;
  }
  if (role === 'staff' && !values.establishment) {
    process.stderr.write('token: staff belong to an establishment: give --establishment <id>\n');
    return 2;
  }
  const hours = values.hours === undefined ? 8 : Number(values.hours);
  if (!Number.isFinite(hours) || hours <= 0 || hours > 24 * 30) {
    process.stderr.write('token: --hours must be a number of hours above 0 (at most 720)\n');
    return 2;
  }
  const token = await mintDevToken({
    role,
    hours,
    ...(values.establishment ? { establishment: values.establishment } : {}),
    ...(values.email ? { email: values.email } : {}),
  });
  process.stdout.write(`${token}\n`);
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
