import type { SendProgress } from './send-summary.js';

export interface ProgressBar {
  update(progress: SendProgress): void;
  finish(): void;
}

/** A one-line progress bar redrawn in place (at most 10 times a second) on a terminal stream. */
export function createProgressBar(stream: NodeJS.WriteStream, width = 30): ProgressBar {
  let lastDrawnAt = 0;
  let last: SendProgress | undefined;
  const draw = (progress: SendProgress) => {
    const done = progress.sent + progress.failed;
    const ratio = progress.records === 0 ? 1 : done / progress.records;
    const filled = Math.round(ratio * width);
    const rate = progress.elapsedMs > 0 ? Math.round((progress.sent / progress.elapsedMs) * 1000) : 0;
    stream.write(
      `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(ratio * 100).toFixed(0).padStart(3)}% ` +
        `${done}/${progress.records}  sent ${progress.sent}  failed ${progress.failed}  retried ${progress.retried}  ${rate} rec/s\x1b[K`,
    );
  };
  return {
    update(progress) {
      last = progress;
      const now = Date.now();
      if (now - lastDrawnAt >= 100) {
        lastDrawnAt = now;
        draw(progress);
      }
    },
    finish() {
      if (last) draw(last);
      stream.write('\n');
    },
  };
}
