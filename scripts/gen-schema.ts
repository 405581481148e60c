/**
 * Writes config/agent.schema.json (JSON Schema of the agent's config file, for editors) from the
 * zod schema the agent validates with. Run after changing src/agent/config.ts:
 *   npm run build && node dist/scripts/gen-schema.js
 * test/agent/config.test.ts fails when the committed file is out of date.
 */
import { writeFileSync } from 'node:fs';
import { agentConfigJsonSchema } from '../src/agent/config.js';
import { configPath } from '../src/paths.js';

export function schemaText(): string {
  const schema = { $id: 'https://tilltap.example/agent.schema.json', title: 'tilltap agent configuration', ...(agentConfigJsonSchema() as object) };
  return `${JSON.stringify(schema, null, 2)}\n`;
}

if (process.argv[1]?.endsWith('gen-schema.js')) {
  writeFileSync(configPath('agent.schema.json'), schemaText());
  console.log(`wrote ${configPath('agent.schema.json')}`);
}
