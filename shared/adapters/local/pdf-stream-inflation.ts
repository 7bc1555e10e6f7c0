/**
 * A limit on what a PDF expands to, checked before pdfjs sees it. A stream compressed with
 * FlateDecode (or LZWDecode) can expand a thousandfold: 1 MB of file becomes 1 GB of content that
 * pdfjs would hold in memory and parse. So every stream of the file is decoded here first through its
 * filter chain, with its output capped, and the document is refused when one stream or all of them
 * together expand past the limits below.
 *
 * What is scanned: every `stream … endstream` of the file (also object and cross-reference streams,
 * which hold the objects compressed inside them; a stream object can never itself sit inside an
 * object stream, so the file's own streams are all there are), and the inline images (BI … ID … EI)
 * inside each decoded stream: every one, as pdfjs draws any stream a page names as its content
 * whatever its dictionary says it is (an image, a font, metadata).
 * - FlateDecode, LZWDecode, ASCIIHexDecode, ASCII85Decode and RunLengthDecode are decoded (what a
 *   damaged stream yields before its damage is counted, as pdfjs reads it that far too).
 * - An image codec (DCTDecode, JPXDecode, JBIG2Decode, CCITTFaxDecode) ends the chain: what it
 *   decodes to is bounded by the image's stated size, and the analyser reads text and rulings, not
 *   pixels, so that output is not counted; its compressed input is.
 * - Filter names are read as pdfjs reads them: comments skipped, `#xx` escapes decoded, the short
 *   names (`/Fl`, `/AHx`, `/A85`, `/LZW`, `/RL`) known, and only the stream dictionary's own
 *   `/Filter`, not one in a dictionary nested in it.
 * - A filter this scan does not know, or one named through an indirect reference, may be a
 *   disguised FlateDecode: the stream is tried as one, and counted as it is if that fails.
 * - An encrypted document (opened by pdfjs when only the owner has a password) is not decrypted
 *   here: its streams read as noise that does not inflate and are counted at their stored size, so
 *   what bounds them is the worker's memory guard (`worker-pdf-analyser.ts`).
 */

import { constants, inflateSync } from 'node:zlib';
import { UnreadableDocumentError } from '../../domain/errors.ts';

export interface InflationLimits {
  /** Most bytes one stream may expand to. */
  maxStreamBytes?: number;
  /** Most bytes all streams of the document together may expand to. */
  maxDocumentBytes?: number;
}

/** A page's content is tens of kilobytes, an embedded font a few megabytes: 64 MB is far beyond either. */
export const MAX_INFLATED_STREAM_BYTES = 64 * 1024 * 1024;
/** 3,000 pages of content with their fonts stay well below this. */
export const MAX_INFLATED_DOCUMENT_BYTES = 1024 * 1024 * 1024;

/** How far before `stream` its dictionary may start (dictionaries with long arrays, e.g. /Widths). */
const DICTIONARY_WINDOW = 64 * 1024;

const STREAM = Buffer.from('stream', 'latin1');
const ENDSTREAM = Buffer.from('endstream', 'latin1');

/**
 * Throws UnreadableDocumentError (TOO_LARGE) when a stream of the PDF, or all of them together,
 * expand past the limits.
 */
export function checkInflatedSize(bytes: Uint8Array, name: string, limits: InflationLimits = {}): void {
  const maxStream = limits.maxStreamBytes ?? MAX_INFLATED_STREAM_BYTES;
  const maxDocument = limits.maxDocumentBytes ?? MAX_INFLATED_DOCUMENT_BYTES;
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const refuse = (limit: number, what: string): never => {
    throw new UnreadableDocumentError(
      'TOO_LARGE',
      `${name}${what} expands to more than ${megabytes(limit)} MB when decompressed; it cannot be analysed`,
    );
  };
  let total = 0;
  const count = (data: Buffer, filters: string[] | null): Buffer => {
    let decoded: Buffer;
    try {
      decoded = decodeChain(data, filters, maxStream);
    } catch (error) {
      if (error instanceof OverLimit) return refuse(maxStream, ' has a stream that');
      throw error;
    }
    total += decoded.length;
    if (total > maxDocument) refuse(maxDocument, '');
    return decoded;
  };
  for (const stream of streamsOf(buffer)) {
    const decoded = count(stream.data, stream.filters);
    for (const image of inlineImagesOf(decoded)) count(image.data, image.filters);
  }
}

/** A decoder's output went past the limit. */
class OverLimit extends Error {}

interface RawStream {
  data: Buffer;
  /** The filter names in order; null when given through an indirect reference. */
  filters: string[] | null;
}

function* streamsOf(buffer: Buffer): Generator<RawStream> {
  let at = buffer.indexOf(STREAM);
  while (at !== -1) {
    const next = () => buffer.indexOf(STREAM, at + STREAM.length);
    const isEnd = at >= 3 && buffer.toString('latin1', at - 3, at) === 'end';
    const dictionaryEnd = isEnd ? -1 : precedingDictionaryEnd(buffer, at);
    if (dictionaryEnd === -1) {
      at = next();
      continue;
    }
    const dictionary = dictionaryBefore(buffer, dictionaryEnd);
    let start = at + STREAM.length;
    if (buffer[start] === 0x0d) start++;
    if (buffer[start] === 0x0a) start++;
    const end = streamEnd(buffer, start, dictionary);
    yield { data: buffer.subarray(start, end), filters: filtersOf(dictionary) };
    at = buffer.indexOf(STREAM, Math.max(end, start));
  }
}

/**
 * Where the `>>` that closes the stream's dictionary ends, or -1 when `stream` does not follow one.
 * Only white space and comments (`%` to the end of its line) may stand between them.
 */
function precedingDictionaryEnd(buffer: Buffer, at: number): number {
  const windowStart = Math.max(0, at - DICTIONARY_WINDOW);
  let lineEnd = at;
  while (lineEnd > windowStart) {
    let lineStart = lineEnd;
    while (lineStart > windowStart && buffer[lineStart - 1] !== 0x0a && buffer[lineStart - 1] !== 0x0d) lineStart--;
    const line = buffer.toString('latin1', lineStart, lineEnd);
    // Where `>>` could close the dictionary on this line: at the line's end, or before a `%` that
    // starts a comment. A line that ends in `>>` is taken as the end even after a `%`: that `%` may
    // sit inside a string of the dictionary, and reading too much as a dictionary is the safe side.
    const comments = [...line.matchAll(/%/g)].map((match) => match.index);
    const closes = (cut: number) => line.slice(0, cut).replace(/[\s\0]+$/, '');
    if (closes(line.length).endsWith('>>')) return lineStart + closes(line.length).length;
    if (/^[\s\0]*(?:%|$)/.test(line)) {
      // Blank, or a comment only: the dictionary ends on an earlier line.
      lineEnd = lineStart - 1;
      continue;
    }
    for (const cut of comments) if (closes(cut).endsWith('>>')) return lineStart + closes(cut).length;
    return -1;
  }
  return -1;
}

/** The dictionary text from its object's `obj` (or the window's start) to its `>>`. */
function dictionaryBefore(buffer: Buffer, end: number): string {
  const text = buffer.toString('latin1', Math.max(0, end - DICTIONARY_WINDOW), end);
  const objectStart = text.lastIndexOf('obj');
  return objectStart === -1 ? text : text.slice(objectStart + 3);
}

function streamEnd(buffer: Buffer, start: number, dictionary: string): number {
  const length = /\/Length\s+(\d+)(?!\s+\d+\s+R)/.exec(dictionary);
  if (length) {
    const end = start + Number(length[1]);
    const after = buffer.toString('latin1', end, Math.min(buffer.length, end + 32));
    if (end <= buffer.length && /^\s*endstream/.test(after)) return end;
  }
  const found = buffer.indexOf(ENDSTREAM, start);
  if (found === -1) return buffer.length;
  let end = found;
  if (buffer[end - 1] === 0x0a) end--;
  if (buffer[end - 1] === 0x0d) end--;
  return Math.max(start, end);
}

/**
 * The filter chain of a dictionary; null when given through an indirect reference. Read the way
 * pdfjs reads it: comments skipped, `#xx` escapes in names decoded, and only the dictionary's own
 * key, not one of a dictionary nested in it. `keys` are the names the key may have (`/F` is the short
 * name inline images use); `outermost` says the text holds the dictionary's own `<<`.
 */
function filtersOf(dictionary: string, keys: string[] = ['Filter'], outermost = true): string[] | null {
  const tokens = tokensOf(dictionary);
  let depth = 0;
  const depths = tokens.map((token) => {
    if (token === '<<') depth++;
    else if (token === '>>') depth--;
    return depth;
  });
  // The stream's dictionary is the one its final `>>` closes.
  const own = outermost ? depth + 1 : 0;
  const key = tokens.findIndex((token, index) => depths[index] === own && keys.some((name) => token === `/${name}`));
  if (key === -1) return [];
  const value = tokens.slice(key + 1);
  if (value[0] === '[') {
    const end = value.indexOf(']');
    return value.slice(1, end === -1 ? undefined : end).filter((token) => token.startsWith('/')).map((token) => token.slice(1));
  }
  if (value[0]?.startsWith('/')) return [value[0].slice(1)];
  if (/^\d+$/.test(value[0] ?? '') && /^\d+$/.test(value[1] ?? '') && value[2] === 'R') return null;
  return [];
}

/**
 * The tokens of dictionary text as far as filters need them: names (with `#xx` decoded), `<<`, `>>`,
 * `[`, `]` and other words; comments dropped, strings reduced to an empty `()` or `<>`.
 */
function tokensOf(text: string): string[] {
  const tokens: string[] = [];
  const delimiter = /[\s\0()<>[\]{}/%]/;
  for (let i = 0; i < text.length; ) {
    const char = text[i]!;
    if (/[\s\0]/.test(char)) {
      i++;
    } else if (char === '%') {
      while (i < text.length && text[i] !== '\n' && text[i] !== '\r') i++;
    } else if (char === '(') {
      let depth = 0;
      for (; i < text.length; i++) {
        if (text[i] === '\\') i++;
        else if (text[i] === '(') depth++;
        else if (text[i] === ')' && --depth === 0) break;
      }
      i++;
      tokens.push('()');
    } else if (text.startsWith('<<', i) || text.startsWith('>>', i)) {
      tokens.push(text.slice(i, i + 2));
      i += 2;
    } else if (char === '<') {
      const end = text.indexOf('>', i);
      i = end === -1 ? text.length : end + 1;
      tokens.push('<>');
    } else if (char === '/') {
      let end = i + 1;
      while (end < text.length && !delimiter.test(text[end]!)) end++;
      const name = text.slice(i + 1, end).replace(/#([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
      tokens.push(`/${name}`);
      i = end;
    } else if (delimiter.test(char)) {
      tokens.push(char);
      i++;
    } else {
      let end = i + 1;
      while (end < text.length && !delimiter.test(text[end]!)) end++;
      tokens.push(text.slice(i, end));
      i = end;
    }
  }
  return tokens;
}

/** Inline images of a decoded stream: their filters and their data up to `EI`. */
function* inlineImagesOf(content: Buffer): Generator<{ data: Buffer; filters: string[] | null }> {
  const text = content.toString('latin1');
  const begin = /(?:^|\s)BI\s/g;
  for (let match = begin.exec(text); match; match = begin.exec(text)) {
    const id = text.indexOf('ID', match.index + match[0].length);
    if (id === -1) return;
    const filters = filtersOf(text.slice(match.index + match[0].length, id), ['Filter', 'F'], false);
    const start = id + 3;
    const ei = /\sEI(?:\s|$)/g;
    ei.lastIndex = start;
    const end = ei.exec(text)?.index ?? text.length;
    yield { data: content.subarray(start, end), filters };
    begin.lastIndex = end;
  }
}

// ─── Decoding; past `limit` bytes of output they throw OverLimit ─────────────────────────────

function decodeChain(data: Buffer, filters: string[] | null, limit: number): Buffer {
  let current = data;
  for (const filter of filters ?? [null]) {
    if (filter !== null && IMAGE_CODECS.has(filter)) break;
    const decode = filter === null ? undefined : DECODERS[filter];
    // A filter not known here (or given by reference) may be a disguised FlateDecode: tried as one.
    current = decode ? decode(current, limit) : (inflateOrNull(current, limit) ?? current);
  }
  return current;
}

/** Their output is not counted (see the top of this file); pdfjs also knows DCT and CCF, the short names. */
const IMAGE_CODECS = new Set(['DCTDecode', 'DCT', 'JPXDecode', 'JBIG2Decode', 'CCITTFaxDecode', 'CCF']);

const DECODERS: Record<string, (data: Buffer, limit: number) => Buffer> = {
  FlateDecode: inflate,
  Fl: inflate,
  LZWDecode: lzwDecode,
  LZW: lzwDecode,
  ASCIIHexDecode: asciiHexDecode,
  AHx: asciiHexDecode,
  ASCII85Decode: ascii85Decode,
  A85: ascii85Decode,
  RunLengthDecode: runLengthDecode,
  RL: runLengthDecode,
};

function inflate(data: Buffer, limit: number): Buffer {
  return inflateOrNull(data, limit) ?? Buffer.alloc(0);
}

/** zlib's inflate; a damaged stream yields what comes before its damage (null: nothing does). */
function inflateOrNull(data: Buffer, limit: number): Buffer | null {
  const attempt = (input: Buffer): Buffer | null => {
    try {
      return inflateSync(input, { maxOutputLength: limit, finishFlush: constants.Z_SYNC_FLUSH });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new OverLimit();
      return null;
    }
  };
  const whole = attempt(data);
  if (whole) return whole;
  // zlib does not say where the damage is: the longest prefix that still inflates is searched for
  // (any prefix past the damage fails, any before it inflates).
  let good: Buffer | null = null;
  let low = 0;
  let high = data.length;
  while (high - low > 256) {
    const middle = Math.floor((low + high) / 2);
    const output = attempt(data.subarray(0, middle));
    if (output) {
      good = output;
      low = middle;
    } else {
      high = middle;
    }
  }
  return good;
}

function lzwDecode(data: Buffer, limit: number): Buffer {
  const output = new GrowingBuffer(limit);
  const table: Buffer[] = [];
  const reset = () => {
    table.length = 0;
    for (let i = 0; i < 256; i++) table.push(Buffer.from([i]));
    table.push(Buffer.alloc(0), Buffer.alloc(0)); // 256 clear, 257 end of data
  };
  reset();
  let codeLength = 9;
  let previous: Buffer | null = null;
  let bits = 0;
  let bitCount = 0;
  for (const byte of data) {
    bits = ((bits << 8) | byte) >>> 0;
    bitCount += 8;
    while (bitCount >= codeLength) {
      const code = (bits >>> (bitCount - codeLength)) & ((1 << codeLength) - 1);
      bitCount -= codeLength;
      bits &= (1 << bitCount) - 1;
      if (code === 256) {
        reset();
        codeLength = 9;
        previous = null;
        continue;
      }
      if (code === 257) return output.result();
      let entry = table[code];
      if (!entry) {
        if (!previous || code !== table.length) return output.result();
        entry = Buffer.concat([previous, previous.subarray(0, 1)]);
      }
      output.push(entry);
      if (previous && table.length < 4096) table.push(Buffer.concat([previous, entry.subarray(0, 1)]));
      // Early change (the PDF default): the code grows one entry before the table fills its width.
      if (table.length + 1 >= 1 << codeLength && codeLength < 12) codeLength++;
      previous = entry;
    }
  }
  return output.result();
}

function asciiHexDecode(data: Buffer, limit: number): Buffer {
  const hex = data.toString('latin1').replace(/>.*$/s, '').replace(/[^0-9A-Fa-f]/g, '');
  if (hex.length / 2 > limit) throw new OverLimit();
  return Buffer.from(hex.length % 2 ? `${hex}0` : hex, 'hex');
}

function ascii85Decode(data: Buffer, limit: number): Buffer {
  const text = data.toString('latin1').replace(/~>.*$/s, '').replace(/\s/g, '').replace(/^<~/, '');
  const output = new GrowingBuffer(limit);
  let group: number[] = [];
  const flush = (count: number) => {
    while (group.length < 5) group.push(84);
    let value = 0;
    for (const digit of group) value = value * 85 + digit;
    const bytes = Buffer.alloc(4);
    bytes.writeUInt32BE(value >>> 0);
    group = [];
    output.push(bytes.subarray(0, count));
  };
  for (const char of text) {
    if (char === 'z' && group.length === 0) {
      output.push(Buffer.alloc(4));
      continue;
    }
    const digit = char.charCodeAt(0) - 33;
    if (digit < 0 || digit > 84) continue;
    group.push(digit);
    if (group.length === 5) flush(4);
  }
  if (group.length > 1) flush(group.length - 1);
  return output.result();
}

function runLengthDecode(data: Buffer, limit: number): Buffer {
  const output = new GrowingBuffer(limit);
  for (let i = 0; i < data.length; ) {
    const length = data[i]!;
    if (length === 128) break;
    if (length < 128) {
      output.push(data.subarray(i + 1, i + 2 + length));
      i += length + 2;
    } else {
      output.push(Buffer.alloc(257 - length, data[i + 1] ?? 0));
      i += 2;
    }
  }
  return output.result();
}

/** Output collected up to a limit: `push` throws OverLimit past it. */
class GrowingBuffer {
  private readonly parts: Buffer[] = [];
  private length = 0;

  constructor(private readonly limit: number) {}

  push(part: Buffer): void {
    if (this.length + part.length > this.limit) throw new OverLimit();
    this.parts.push(part);
    this.length += part.length;
  }

  result(): Buffer {
    return Buffer.concat(this.parts, this.length);
  }
}

function megabytes(bytes: number): string {
  return String(Math.round(bytes / (1024 * 1024)));
}
