// Make the built CLI executable: `npx tilltap` in this checkout runs dist/src/cli/main.js directly.
import { chmodSync, existsSync } from 'node:fs';

const bin = new URL('../dist/src/cli/main.js', import.meta.url);
if (existsSync(bin)) chmodSync(bin, 0o755);
