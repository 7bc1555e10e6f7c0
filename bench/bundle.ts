import { mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/**
 * Benchmarks measure the product code as it runs once bundled (as the Lambdas are), not under tsx,
 * whose on-the-fly compiling of large dependencies would add its own memory to the figures. The
 * target is the Lambdas' (node22), the Node `npm run bench` runs on.
 */
export async function bundleForMeasuring(entry: string): Promise<string> {
  // Inside the repository, so the bundle's imports of packages resolve to node_modules.
  const directory = fileURLToPath(new URL('../.local/bench/', import.meta.url));
  await mkdir(directory, { recursive: true });
  const outfile = join(directory, `${basename(entry, '.ts')}.mjs`);
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    packages: 'external',
    logLevel: 'warning',
  });
  return outfile;
}
