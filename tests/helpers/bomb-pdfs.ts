import { createDeflate } from 'node:zlib';

/**
 * A one-page PDF whose page content, after one line of real text, is `inflatedMegabytes` MB of white
 * space (which a content stream may hold any amount of), compressed with FlateDecode: small on disk
 * (deflate packs repeated bytes about a thousandfold), huge once decompressed. `filters` is the
 * stream's filter chain in PDF order (decoded first to last); it must end with FlateDecode.
 * `disguise` writes the stream the way a PDF may but a naive scanner does not expect:
 * - `escaped-names`: every `e` of the filter names as the name escape `#65` (`/Flat#65D#65cod#65`);
 * - `comment-before-stream`: a comment between the dictionary's `>>` and the `stream` keyword.
 */
export type BombDisguise = 'escaped-names' | 'comment-before-stream';

export async function flateBombPdf(
  inflatedMegabytes: number,
  options: { filters?: string[]; disguise?: BombDisguise } = {},
): Promise<Uint8Array> {
  const filters = options.filters ?? ['FlateDecode'];
  if (filters.at(-1) !== 'FlateDecode') throw new Error('the chain must end with FlateDecode');
  const text = Buffer.from('BT /F1 12 Tf 72 720 Td (Action Plan: HMP Exampleton) Tj ET\n', 'latin1');
  let content = await deflated(text, inflatedMegabytes);
  for (const filter of filters.slice(0, -1).reverse()) content = encodeWith(filter, content);
  const names = filters.map((name) => `/${options.disguise === 'escaped-names' ? name.replaceAll('e', '#65') : name}`);
  const filter = names.length === 1 ? names[0]! : `[${names.join(' ')}]`;
  return pdfOf(content, filter, options.disguise === 'comment-before-stream' ? ' % the content follows\n' : '\n');
}

/** `head` then `megabytes` MB of spaces, deflated a megabyte at a time (never held whole). */
async function deflated(head: Buffer, megabytes: number): Promise<Buffer> {
  const deflate = createDeflate({ level: 9 });
  const parts: Buffer[] = [];
  deflate.on('data', (part: Buffer) => parts.push(part));
  const ended = new Promise((resolve, reject) => deflate.on('end', resolve).on('error', reject));
  const chunk = Buffer.alloc(1024 * 1024, 0x20);
  const write = (buffer: Buffer) => new Promise<void>((resolve) => (deflate.write(buffer) ? resolve() : deflate.once('drain', resolve)));
  await write(head);
  for (let i = 0; i < megabytes; i++) await write(chunk);
  deflate.end();
  await ended;
  return Buffer.concat(parts);
}

function encodeWith(filter: string, data: Buffer): Buffer {
  if (filter === 'ASCIIHexDecode') return Buffer.from(`${data.toString('hex')}>`, 'latin1');
  throw new Error(`no encoder for ${filter} in this test helper`);
}

/** A minimal PDF: catalog, pages, one page with Helvetica, its content stream; offsets in the xref. */
function pdfOf(content: Buffer, filter: string, beforeStream: string): Uint8Array {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>',
    null,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  const parts: Buffer[] = [Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  const offsets: number[] = [];
  let length = parts[0]!.length;
  const add = (buffer: Buffer) => {
    parts.push(buffer);
    length += buffer.length;
  };
  objects.forEach((object, index) => {
    offsets.push(length);
    if (object === null) {
      add(Buffer.from(`${index + 1} 0 obj\n<< /Length ${content.length} /Filter ${filter} >>${beforeStream}stream\n`, 'latin1'));
      add(content);
      add(Buffer.from('\nendstream\nendobj\n', 'latin1'));
    } else {
      add(Buffer.from(`${index + 1} 0 obj\n${object}\nendobj\n`, 'latin1'));
    }
  });
  const xref = length;
  const entries = offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`).join('');
  add(
    Buffer.from(
      `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${entries}trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`,
      'latin1',
    ),
  );
  return new Uint8Array(Buffer.concat(parts));
}
