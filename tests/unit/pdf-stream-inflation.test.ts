import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { checkInflatedSize } from '../../shared/adapters/local/pdf-stream-inflation.ts';

/**
 * The pre-scan's decoders count exactly what a stream decodes to: each case is refused at one byte
 * under its decoded size and accepted at that size. (The PDFs are just their streams: the scan reads
 * bytes, not documents.)
 */
const MB = 1024 * 1024;

function pdfWith(...streams: { dictionary: string; data: Buffer }[]): Uint8Array {
  const parts: Buffer[] = [Buffer.from('%PDF-1.7\n', 'latin1')];
  streams.forEach(({ dictionary, data }, index) => {
    parts.push(Buffer.from(`${index + 1} 0 obj\n<< ${dictionary} /Length ${data.length} >>\nstream\n`, 'latin1'), data, Buffer.from('\nendstream\nendobj\n', 'latin1'));
  });
  return new Uint8Array(Buffer.concat(parts));
}

/** One stream object written byte for byte: `head` is everything from `obj` to the `stream` keyword. */
function pdfOfStream(head: string, data: Buffer): Uint8Array {
  return new Uint8Array(Buffer.concat([Buffer.from(`%PDF-1.7\n1 0 obj\n${head}stream\r\n`, 'latin1'), data, Buffer.from('\r\nendstream\nendobj\n', 'latin1')]));
}

function decodedSizeIs(bytes: Uint8Array, size: number): void {
  expect(() => checkInflatedSize(bytes, 'x.pdf', { maxStreamBytes: size })).not.toThrow();
  expect(() => checkInflatedSize(bytes, 'x.pdf', { maxStreamBytes: size - 1 })).toThrow(/expands to more than/);
}

/** PDF LZW (early change, 9 to 12 bit codes, a clear code when the table fills). */
function lzwEncode(data: Buffer): Buffer {
  const codes: { code: number; length: number }[] = [];
  let table = new Map<string, number>();
  let next = 258;
  let length = 9;
  const reset = () => {
    table = new Map();
    for (let i = 0; i < 256; i++) table.set(String.fromCharCode(i), i);
    next = 258;
    length = 9;
  };
  reset();
  codes.push({ code: 256, length });
  let word = '';
  for (const byte of data) {
    const char = String.fromCharCode(byte);
    if (table.has(word + char)) {
      word += char;
      continue;
    }
    codes.push({ code: table.get(word)!, length });
    table.set(word + char, next++);
    // The decoder adds each entry one code later than this encoder: it widens one code later too.
    if (next >= 1 << length && length < 12) length++;
    if (next >= 4094) {
      codes.push({ code: 256, length });
      reset();
    }
    word = char;
  }
  if (word) codes.push({ code: table.get(word)!, length });
  codes.push({ code: 257, length });
  const bytes: number[] = [];
  let bits = 0;
  let count = 0;
  for (const { code, length: width } of codes) {
    bits = (bits << width) | code;
    count += width;
    while (count >= 8) {
      bytes.push((bits >>> (count - 8)) & 0xff);
      count -= 8;
    }
    bits &= (1 << count) - 1;
  }
  if (count > 0) bytes.push((bits << (8 - count)) & 0xff);
  return Buffer.from(bytes);
}

describe('the decompressed-size pre-scan', () => {
  it('FlateDecode', () => {
    decodedSizeIs(pdfWith({ dictionary: '/Filter /FlateDecode', data: deflateSync(Buffer.alloc(2 * MB)) }), 2 * MB);
  });

  it('LZWDecode', () => {
    const data = Buffer.concat([Buffer.from('BT (Hello) Tj ET '), Buffer.alloc(300_000, 0x20)]);
    decodedSizeIs(pdfWith({ dictionary: '/Filter /LZWDecode', data: lzwEncode(data) }), data.length);
  });

  it('RunLengthDecode', () => {
    const runs = Buffer.alloc(2 * 16_384);
    for (let i = 0; i < runs.length; i += 2) runs[i] = 129; // 128 copies of the next byte
    decodedSizeIs(pdfWith({ dictionary: '/Filter /RunLengthDecode', data: Buffer.concat([runs, Buffer.from([128])]) }), 2 * MB);
  });

  it('ASCII85Decode then FlateDecode (a chain)', () => {
    const zs = Buffer.from(`${'z'.repeat(MB / 4)}~>`, 'latin1');
    decodedSizeIs(pdfWith({ dictionary: '/Filter [/ASCII85Decode]', data: zs }), MB);
    const inflated = deflateSync(Buffer.alloc(3 * MB));
    const hex = Buffer.from(`${inflated.toString('hex')}>`, 'latin1');
    decodedSizeIs(pdfWith({ dictionary: '/Filter [/ASCIIHexDecode /FlateDecode]', data: hex }), 3 * MB);
  });

  it('a filter given by reference is tried as FlateDecode', () => {
    decodedSizeIs(pdfWith({ dictionary: '/Filter 9 0 R', data: deflateSync(Buffer.alloc(MB)) }), MB);
  });

  it('a damaged stream counts what comes before the damage', () => {
    const whole = deflateSync(Buffer.alloc(4 * MB, 0x41), { level: 1 });
    const damaged = Buffer.concat([whole.subarray(0, Math.floor(whole.length / 2)), Buffer.from('not deflate data at all, really not')]);
    expect(() => checkInflatedSize(pdfWith({ dictionary: '/Filter /FlateDecode', data: damaged }), 'x.pdf', { maxStreamBytes: MB })).toThrow(
      /expands to more than 1 MB/,
    );
  });

  it('an inline image in page content counts too', () => {
    const image = deflateSync(Buffer.alloc(2 * MB));
    const content = Buffer.concat([Buffer.from('q BI /W 1024 /H 2048 /BPC 8 /CS /G /F /Fl ID ', 'latin1'), image, Buffer.from(' EI Q', 'latin1')]);
    const bytes = pdfWith({ dictionary: '/Filter /FlateDecode', data: deflateSync(content) });
    expect(() => checkInflatedSize(bytes, 'x.pdf', { maxStreamBytes: MB + MB / 2 })).toThrow(/has a stream that expands to more than 2 MB/);
  });

  it('image codecs end the chain: their pixels are not counted', () => {
    const jpeg = Buffer.alloc(1000, 0xff);
    expect(() => checkInflatedSize(pdfWith({ dictionary: '/Subtype /Image /Filter /DCTDecode', data: jpeg }), 'x.pdf', { maxStreamBytes: 1000 })).not.toThrow();
  });

  it('adds every stream up against the document limit', () => {
    const stream = { dictionary: '/Filter /FlateDecode', data: deflateSync(Buffer.alloc(MB)) };
    const bytes = pdfWith(stream, stream, stream);
    expect(() => checkInflatedSize(bytes, 'x.pdf', { maxDocumentBytes: 3 * MB })).not.toThrow();
    expect(() => checkInflatedSize(bytes, 'x.pdf', { maxDocumentBytes: 3 * MB - 1 })).toThrow('x.pdf expands to more than 3 MB when decompressed; it cannot be analysed');
  });

  describe('reads the dictionary the way pdfjs does', () => {
    const inflated = deflateSync(Buffer.alloc(2 * MB));

    it.each([
      ['a comment between >> and stream', ` /Length ${inflated.length} >> % x\n`],
      ['comment lines between >> and stream, CR line ends', ` /Length ${inflated.length} >>\r% one\r  % two >>\r\n`],
      ['a % in a string of the dictionary, then a comment', ` /Length ${inflated.length} /T (50%) >>%c\n`],
      ['a string whose second line starts with %', ` /Length ${inflated.length} /T (a\n%b) >>\n`],
    ])('%s', (_name, tail) => {
      decodedSizeIs(pdfOfStream(`<< /Filter /FlateDecode${tail}`, inflated), 2 * MB);
    });

    it.each([
      ['a name escape (#65 for e)', '/Filter /Flat#65Decode'],
      ['escapes in a chain', '/Filter [/ASCII#48exDecode /#46lateDecode]'],
      ['the short names', '/Filter [/AHx /Fl]'],
      ['an array with comments and odd white space', '/Filter[%first\r\n/ASCIIHexDecode\f%second\n\t/FlateDecode ]'],
      ['a comment that names an image codec', '% /Filter /DCTDecode\n/Filter /FlateDecode'],
      ['a nested dictionary that names an image codec', '/Extra << /Filter /DCTDecode >> /Filter [/ASCIIHexDecode /FlateDecode]'],
      ['parameters after the filter', '/Filter [/AHx /FlateDecode] /DecodeParms [null << /Predictor 1 >>]'],
    ])('%s', (_name, dictionary) => {
      const hexed = dictionary.includes('Hex') || dictionary.includes('AHx') || dictionary.includes('#48');
      const data = hexed ? Buffer.from(`${inflated.toString('hex')}>`, 'latin1') : inflated;
      decodedSizeIs(pdfWith({ dictionary, data }), 2 * MB);
    });

    it('a filter name it does not know is tried as FlateDecode, else counted as stored', () => {
      decodedSizeIs(pdfWith({ dictionary: '/Filter /NoSuchDecode', data: inflated }), 2 * MB);
      const raw = pdfWith({ dictionary: '/Filter /NoSuchDecode', data: Buffer.alloc(5000, 0x41) });
      expect(() => checkInflatedSize(raw, 'x.pdf', { maxDocumentBytes: 5000 })).not.toThrow();
      expect(() => checkInflatedSize(raw, 'x.pdf', { maxDocumentBytes: 4999 })).toThrow('x.pdf expands to more than');
    });

    it('image codecs by their short names, escaped too, still end the chain uncounted', () => {
      for (const filter of ['/DCT', '/CCF', '/JPX#44ecode']) {
        const bytes = pdfWith({ dictionary: `/Subtype /Image /Filter ${filter}`, data: Buffer.alloc(1000, 0xff) });
        expect(() => checkInflatedSize(bytes, 'x.pdf', { maxStreamBytes: 1000 })).not.toThrow();
      }
    });

    it.each(['/Subtype /Image', '/Length1 5', '/Type /Metadata'])('inline images count in a stream whose dictionary says %s (pdfjs draws any stream a page names as content)', (key) => {
      const image = deflateSync(Buffer.alloc(2 * MB));
      const content = Buffer.concat([Buffer.from('q BI /W 1024 /H 2048 /BPC 8 /CS /G /F /Fl ID ', 'latin1'), image, Buffer.from(' EI Q', 'latin1')]);
      const bytes = pdfWith({ dictionary: `${key} /Filter /FlateDecode`, data: deflateSync(content) });
      expect(() => checkInflatedSize(bytes, 'x.pdf', { maxStreamBytes: MB + MB / 2 })).toThrow(/has a stream that expands to more than 2 MB/);
    });

    it('an inline image with an escaped filter name counts too', () => {
      const image = deflateSync(Buffer.alloc(2 * MB));
      const content = Buffer.concat([Buffer.from('q BI /W 1024 /H 2048 /BPC 8 /CS /G /F /F#6c ID ', 'latin1'), image, Buffer.from(' EI Q', 'latin1')]);
      const bytes = pdfWith({ dictionary: '/Filter /FlateDecode', data: deflateSync(content) });
      expect(() => checkInflatedSize(bytes, 'x.pdf', { maxStreamBytes: MB + MB / 2 })).toThrow(/has a stream that expands to more than 2 MB/);
    });
  });
});
