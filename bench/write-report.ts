/** Writes the report document and its HTML twin (the renderer reads the report's type, not this file). */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderHtml } from './html.js';
import type { BenchReport } from './report.js';

/** Writes `<dir>/<stamp>.json` and `<dir>/<stamp>.html`; returns both paths. */
export async function writeReport(dir: string, report: BenchReport): Promise<{ json: string; html: string }> {
  await mkdir(dir, { recursive: true });
  // ISO date, with ':' replaced: the file name must be valid on every file system.
  const stamp = report.startedAt.replace(/\.\d+Z$/, 'Z').replaceAll(':', '-');
  const json = join(dir, `${stamp}.json`);
  const html = join(dir, `${stamp}.html`);
  await writeFile(json, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(html, renderHtml(report));
  return { json, html };
}
