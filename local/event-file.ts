/** Reads a recorded ALB event file (`npm run invoke`, tests), with errors that name the file. */
import { readFile } from 'node:fs/promises';
import type { ALBEvent } from 'aws-lambda';

/**
 * Reads a recorded ALB event. Strips a UTF-8 byte-order mark (two recorded events carry one) and
 * names the file on a JSON error, so a broken fixture says where it is broken.
 */
export async function readEventFile(path: string): Promise<ALBEvent> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read event file ${path}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text.replace(/^\uFEFF/, '')) as ALBEvent;
  } catch (error) {
    throw new Error(`event file ${path} is not valid JSON: ${(error as Error).message}`);
  }
}
