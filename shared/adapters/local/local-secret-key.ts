import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * A local secret (the dev token signing key, the local upload URL key): 32 random bytes kept
 * base64url in a file only its owner may read (0600), made on first use. Two processes making it
 * at once: the loser of the exclusive create reads the winner's.
 */
export function readOrCreateSecretKey(path: string): Uint8Array {
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    try {
      writeFileSync(path, randomBytes(32).toString('base64url'), { mode: 0o600, flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  // A key file left readable by others (copied, or made by an older version) is closed.
  chmodSync(path, 0o600);
  const key = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64url');
  if (key.length < 32) throw new Error(`${path} does not hold a key of 32 bytes; delete it and a new one is made`);
  return new Uint8Array(key);
}
