import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/** The package root (where package.json and config/ live), from src/ or from dist/src/. */
export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'config'))) return (root = dir);
    const up = dirname(dir);
    if (up === dir) throw new Error('tilltap: cannot find the package root (config/ is missing)');
    dir = up;
  }
}

export function configPath(...parts: string[]): string {
  return join(packageRoot(), 'config', ...parts);
}

/**
 * A built module beside the calling one, to start as a worker thread: `file` next to `callerUrl`
 * when it runs from dist/, the same place in dist/ when it runs from its TypeScript source (vitest),
 * where no .js sits beside it.
 */
export function builtSibling(callerUrl: string, file: string): string {
  const beside = fileURLToPath(new URL(file, callerUrl));
  if (existsSync(beside)) return beside;
  const root = packageRoot();
  return join(root, 'dist', relative(root, dirname(fileURLToPath(callerUrl))), file);
}
