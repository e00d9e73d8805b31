/**
 * Bytes -> lines with bounded memory: at most one chunk and one partial line are held. A line
 * longer than `maxLineLength` is dropped as it streams (reported as `LINE_TOO_LONG`, so it still
 * counts and keeps its number) instead of growing a buffer without limit on a file with no newlines.
 */
import { StringDecoder } from 'node:string_decoder';

export const LINE_TOO_LONG: unique symbol = Symbol('line too long');
export type SplitLine = string | typeof LINE_TOO_LONG;

/**
 * Longest line kept. ALB truncates user agents at 8 KB and limits the request line and headers,
 * so a real entry is far below this.
 * @default 1 MiB
 */
export const DEFAULT_MAX_LINE_LENGTH = 1024 * 1024;

/** Yields the complete lines of each chunk (`\n` or `\r\n`), as one array per chunk. */
export async function* splitLines(
  chunks: AsyncIterable<Buffer>,
  maxLineLength = DEFAULT_MAX_LINE_LENGTH,
): AsyncGenerator<SplitLine[]> {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  let skipping = false;
  for await (const chunk of chunks) {
    const text = pending + decoder.write(chunk);
    const lines: SplitLine[] = [];
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      if (skipping) {
        lines.push(LINE_TOO_LONG);
        skipping = false;
      } else if (nl - start > maxLineLength) {
        // A whole line inside one chunk is held to the same limit as one spread over several.
        lines.push(LINE_TOO_LONG);
      } else {
        lines.push(trimCr(text.slice(start, nl)));
      }
      start = nl + 1;
    }
    pending = text.slice(start);
    if (pending.length > maxLineLength) {
      skipping = true;
      pending = '';
    }
    if (skipping) pending = '';
    if (lines.length > 0) yield lines;
  }
  const rest = pending + decoder.end();
  if (skipping) yield [LINE_TOO_LONG];
  else if (rest !== '') yield [trimCr(rest)];
}

function trimCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
