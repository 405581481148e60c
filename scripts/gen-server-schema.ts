/**
 * Writes config/server.schema.json (JSON Schema of the server's config file, for editors) from the
 * zod schema the server validates with. Run after changing src/server/config.ts:
 *   npm run build && node dist/scripts/gen-server-schema.js
 * test/server/config.test.ts fails when the committed file is out of date.
 */
import { writeFileSync } from 'node:fs';
import { configPath } from '../src/paths.js';
import { serverConfigJsonSchema } from '../src/server/config.js';

export function serverSchemaText(): string {
  const schema = { $id: 'https://tilltap.example/server.schema.json', title: 'tilltap server configuration', ...(serverConfigJsonSchema() as object) };
  return `${JSON.stringify(schema, null, 2)}\n`;
}

if (process.argv[1]?.endsWith('gen-server-schema.js')) {
  writeFileSync(configPath('server.schema.json'), serverSchemaText());
  console.log(`wrote ${configPath('server.schema.json')}`);
}
