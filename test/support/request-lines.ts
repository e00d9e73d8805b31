/** The request log lines a block of code prints, read from stdout as CloudWatch would read them. */
import { vi } from 'vitest';
import { logger } from '../../shared/telemetry/telemetry.js';

/**
 * Runs `body` with INFO on (the suite runs SILENT, and the request line is not even built when INFO
 * is off) and stdout captured; returns each `request` line's fields, in order. Level and stdout are
 * restored whatever `body` does.
 */
export async function requestLines(body: () => Promise<void>): Promise<Record<string, unknown>[]> {
  const level = logger.getLevelName();
  logger.setLogLevel('INFO');
  const written: string[] = [];
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (written.push(String(chunk)), true));
  try {
    await body();
  } finally {
    out.mockRestore();
    logger.setLogLevel(level);
  }
  return written
    .join('')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line.message === 'request');
}
