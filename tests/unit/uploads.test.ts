import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analysisTokenOf, inspectPdf, uploadIdOf, uploadKindOf } from '../../shared/domain/uploads.ts';
import { fixturePath } from '../helpers/fixtures.ts';
import { drawPdf } from '../helpers/pdf-generators.ts';

async function* chunksOf(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let start = 0; start < bytes.length; start += size) yield bytes.subarray(start, start + size);
}

describe('uploads', () => {
  it('tells plans from reports by the key prefix', () => {
    expect(uploadKindOf('uploads/plans/hmp-x.pdf')).toBe('plan');
    expect(uploadKindOf('uploads/reports/hmp-x.pdf')).toBe('report');
    expect(uploadKindOf('uploads/plans/')).toBeNull();
    expect(uploadKindOf('other/hmp-x.pdf')).toBeNull();
  });

  it('derives one upload id per object version, and a valid Textract token from the content hash', () => {
    const a = uploadIdOf({ bucket: 'b', key: 'uploads/plans/x.pdf', versionId: '1' });
    expect(uploadIdOf({ bucket: 'b', key: 'uploads/plans/x.pdf', versionId: '1' })).toBe(a);
    expect(uploadIdOf({ bucket: 'b', key: 'uploads/plans/x.pdf', versionId: '2' })).not.toBe(a);
    expect(analysisTokenOf('f'.repeat(64), 'plan')).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
    expect(analysisTokenOf('f'.repeat(64), 'report')).not.toBe(analysisTokenOf('f'.repeat(64), 'plan'));
  });

  it('inspects a streamed PDF: hash, signature and page count, whatever the chunk size', async () => {
    const pdf = new Uint8Array(readFileSync(fixturePath('action-plans/hmp-liverpool-2018.pdf')));
    const whole = await inspectPdf(chunksOf(pdf, pdf.length));
    expect(whole).toMatchObject({ sizeBytes: pdf.length, isPdf: true, pageCount: 22 });
    expect(whole.sha256).toBe(createHash('sha256').update(pdf).digest('hex'));
    for (const size of [1, 7, 64, 65_536]) {
      expect(await inspectPdf(chunksOf(pdf, size))).toEqual(whole);
    }
  });

  it('gives no page count when the page objects sit in compressed object streams', async () => {
    const pdf = await drawPdf([{}, {}, {}]);
    expect(await inspectPdf(chunksOf(pdf, 100))).toMatchObject({ isPdf: true, pageCount: null });
  });

  it('knows a file that is not a PDF', async () => {
    const text = new TextEncoder().encode('Rec no\tRecommendation\n');
    expect(await inspectPdf(chunksOf(text, 5))).toMatchObject({ isPdf: false, pageCount: null });
  });
});
