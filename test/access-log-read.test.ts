import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { InputError, LINE_TOO_LONG, readLogLines, type SplitLine } from '../local/access-log/read.js';
import { splitLines } from '../local/access-log/split-lines.js';
import { DOC_EXAMPLES } from './fixtures/access-logs/aws-examples.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'access-log-read-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function collect(inputs: string[], maxLineLength?: number) {
  const out: { source: string; lineNumber: number; line: SplitLine }[] = [];
  for await (const l of readLogLines(inputs, maxLineLength ? { maxLineLength } : {})) out.push(l);
  return out;
}

const A = DOC_EXAMPLES.http;
const B = DOC_EXAMPLES.lambdaFailure;

describe('readLogLines', () => {
  test('reads a plain file line by line, with CRLF and without a final newline', async () => {
    const path = join(dir, 'plain.log');
    await writeFile(path, `${A}\r\n\r\n${B}`);
    expect(await collect([path])).toEqual([
      { source: path, lineNumber: 1, line: A },
      { source: path, lineNumber: 2, line: '' },
      { source: path, lineNumber: 3, line: B },
    ]);
  });

  test('decompresses gzip, found by its magic bytes, including concatenated members', async () => {
    const path = join(dir, 'odd-name.bin');
    await writeFile(path, Buffer.concat([gzipSync(`${A}\n`), gzipSync(`${B}\n`)]));
    expect((await collect([path])).map((l) => l.line)).toEqual([A, B]);
  });

  test('keeps a multi-byte character whole when a chunk ends inside it', async () => {
    const bytes = Buffer.from('caf\u00e9 \u{1f600}\nnext\n');
    // Split inside the two bytes of "é" and inside the four bytes of the emoji.
    const chunks = [bytes.subarray(0, 4), bytes.subarray(4, 8), bytes.subarray(8)];
    async function* source() {
      yield* chunks;
    }
    const lines: SplitLine[] = [];
    for await (const batch of splitLines(source())) lines.push(...batch);
    expect(lines).toEqual(['caf\u00e9 \u{1f600}', 'next']);
  });

  test('holds a whole line inside one chunk to the same length limit', async () => {
    async function* source() {
      yield Buffer.from(`short\n${'y'.repeat(500)}\nalso short\n`);
    }
    const lines: SplitLine[] = [];
    for await (const batch of splitLines(source(), 100)) lines.push(...batch);
    expect(lines).toEqual(['short', LINE_TOO_LONG, 'also short']);
  });

  test('walks a directory in the S3 layout, in key order, skipping non-log files', async () => {
    const root = join(dir, 'bucket');
    const day = join(root, 'prefix/AWSLogs/123456789012/elasticloadbalancing/us-east-2/2026/05/01');
    await mkdir(day, { recursive: true });
    const name = (end: string) =>
      `123456789012_elasticloadbalancing_us-east-2_app.my-loadbalancer.50dc6c495c0c9188_${end}_10.0.0.1_abcd1234.log.gz`;
    await writeFile(join(day, name('20260501T1010Z')), gzipSync(`${B}\n`));
    await writeFile(join(day, name('20260501T1005Z')), gzipSync(`${A}\n`));
    await writeFile(join(root, 'prefix/AWSLogs/123456789012/ELBAccessLogTestFile'), 'Enable AccessLog for ELB: app/x');
    await writeFile(join(root, 'README.txt'), 'not a log');
    const lines = await collect([root]);
    expect(lines.map((l) => [l.source.slice(-40), l.line])).toEqual([
      [name('20260501T1005Z').slice(-40), A],
      [name('20260501T1010Z').slice(-40), B],
    ]);
  });

  test('reports a line longer than the limit without holding it, and keeps counting lines', async () => {
    const path = join(dir, 'long.log');
    await writeFile(path, `${A}\n${'x'.repeat(300_000)}\n${B}\n`);
    const lines = await collect([path], 100_000);
    expect(lines.map((l) => [l.lineNumber, l.line])).toEqual([
      [1, A],
      [2, LINE_TOO_LONG],
      [3, B],
    ]);
  });

  test('names a missing input', async () => {
    const missing = join(dir, 'nope.log');
    await expect(collect([missing])).rejects.toThrow(new InputError(missing, `cannot read ${missing}: no such file or directory`));
  });

  test('names a directory without logs', async () => {
    const empty = join(dir, 'empty');
    await mkdir(empty);
    await expect(collect([empty])).rejects.toThrow(/no \*\.log or \*\.log\.gz files under/);
  });

  test('turns a corrupt gzip file into an InputError that names it', async () => {
    const path = join(dir, 'corrupt.log.gz');
    const gz = gzipSync(`${A}\n`.repeat(100));
    await writeFile(path, Buffer.concat([gz.subarray(0, 40), Buffer.alloc(40, 7), gz.subarray(80)]));
    const error = await collect([path]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toContain(`cannot read ${path}`);
  });
});
