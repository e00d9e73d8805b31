/**
 * A progress bar on stderr (cli-progress) while a large input is read, in stored bytes, so it
 * moves steadily over gzip and S3 alike. Only on a TTY: piped or CI output gets no control codes.
 */
import cliProgress from 'cli-progress';

/**
 * Inputs smaller than this finish before a bar is worth drawing.
 * @default 32 MiB
 */
export const PROGRESS_MIN_BYTES = 32 * 1024 * 1024;

export interface Progress {
  add(bytes: number): void;
  stop(): void;
}

export function createProgress(totalBytes: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY || totalBytes < PROGRESS_MIN_BYTES) return { add() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: 'reading [{bar}] {percentage}% | {mb}/{totalMb} MB | ETA {eta_formatted}',
      clearOnComplete: true,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  const mb = (n: number): string => (n / 1024 / 1024).toFixed(0);
  let done = 0;
  bar.start(totalBytes, 0, { mb: mb(0), totalMb: mb(totalBytes) });
  return {
    add(bytes) {
      done += bytes;
      bar.update(done, { mb: mb(done) });
    },
    stop() {
      bar.stop();
    },
  };
}
