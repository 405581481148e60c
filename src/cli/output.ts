/** Writing to stdout without losing output when it is a pipe, and without a crash on EPIPE. */
/** Write and wait only when stdout asks us to (backpressure), for output written piece by piece. */
export function writeStream(text: string): Promise<void> | void {
  if (text === '') return;
  if (!process.stdout.write(text)) return new Promise((resolve) => process.stdout.once('drain', () => resolve()));
}

export function writeOut(text: string): Promise<void> {
  return new Promise((resolve) => {
    process.stdout.write(text, () => resolve());
  });
}

process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});
