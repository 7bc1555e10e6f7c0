import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixturePath, loadTruth, readFixtureJson } from '../helpers/fixtures.ts';
import { drawPdf, encryptedPdf } from '../helpers/pdf-generators.ts';

/** The extract command as a person runs it: a real process, its stdout, stderr and exit code. */
const repository = fileURLToPath(new URL('../..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'extract-cli-'));

function extract(...args: string[]) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'bin/extract.ts', ...args], {
    cwd: repository,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

function file(name: string, bytes: Uint8Array | string): string {
  const path = join(work, name);
  writeFileSync(path, bytes);
  return path;
}

describe('npm run extract', () => {
  it('--json prints only the plan JSON, equal to the truth', () => {
    const run = extract(fixturePath('action-plans/hmp-long-lartin-2023.pdf'), '--json');
    expect(run.code).toBe(0);
    const { warnings, ...plan } = JSON.parse(run.stdout);
    expect(plan).toEqual(loadTruth('hmp-long-lartin-2023'));
    expect(warnings).toEqual([]);
  });

  it.each(['hmp-liverpool-2018', 'hmp-long-lartin-2023'])(
    'tells the %s inspection report from a plan by itself: --json equals the report truth',
    (name) => {
      const run = extract(fixturePath(`reports/${name}.pdf`), '--json');
      expect(run.code).toBe(0);
      const { warnings, ...report } = JSON.parse(run.stdout);
      expect(report).toEqual(readFixtureJson(`reports/${name}.truth.json`));
      expect(warnings).toEqual(name === 'hmp-liverpool-2018' ? ['Recommendation 5.26 is printed without any text'] : []);
    },
  );

  it('prints a summary for a person by default', () => {
    const run = extract(fixturePath('action-plans/hmp-liverpool-2018.pdf'));
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('HMP Liverpool');
    expect(run.stdout).toContain('Items: 72, actions: 111');
    expect(run.stdout).toContain('Printed summary: agreed 55, partly agreed 10, not agreed 7, total 72');
    expect(run.stdout).toContain('Warnings: none');
  });

  it('--blocks prints the Textract-shaped result pages', () => {
    const run = extract(fixturePath('action-plans/hmp-long-lartin-2023.pdf'), '--blocks');
    expect(run.code).toBe(0);
    const results = JSON.parse(run.stdout) as { JobStatus: string; Blocks: { BlockType: string }[] }[];
    expect(results.length).toBeGreaterThan(1);
    expect(results.every((result) => result.JobStatus === 'SUCCEEDED' && result.Blocks.length <= 1000)).toBe(true);
    const types = new Set(results.flatMap((result) => result.Blocks.map((block) => block.BlockType)));
    expect([...types].sort()).toEqual(['CELL', 'LINE', 'MERGED_CELL', 'PAGE', 'TABLE', 'WORD']);
  });

  describe('bad input: a clear message and exit code 2', () => {
    let scanned: string;
    let encrypted: string;
    let noTable: string;

    beforeAll(async () => {
      scanned = file('scanned.pdf', await drawPdf([{ scannedImage: true }]));
      encrypted = file('encrypted.pdf', await encryptedPdf({ userPassword: 'secret', ownerPassword: 'owner' }));
      noTable = file('letter.pdf', await drawPdf([{ texts: [{ text: 'Dear Governor', x: 72, baseline: 700 }] }]));
    });

    it.each([
      ['a missing file', () => join(work, 'missing.pdf'), /No such file/],
      ['an empty file', () => file('empty.pdf', ''), /empty/i],
      ['a file that is not a PDF', () => file('notes.pdf', 'Rec no\tRecommendation\n'), /not a PDF/i],
      ['a scanned PDF with no text layer', () => scanned, /OCR/],
      ['an encrypted PDF', () => encrypted, /password|encrypted/i],
      ['a PDF with no table', () => noTable, /no table/i],
      ['a saved response that is not JSON', () => file('bad.json', '{'), /not JSON/],
    ])('%s', (_, path, message) => {
      const run = extract(path());
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(message);
    });

    it('a usage mistake', () => {
      const run = extract();
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('usage: npm run extract');
    });
  });
});
