/**
 * POST /api/v1/statements?format=…: a statement file as the body (any content type; gzip or
 * not), imported whole or not at all, as `tilltap import-statement` does. GET lists the files.
 * A user token only: statements are head office's, never an agent's.
 */
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { apiError, statementApiError } from '../errors.js';
import { mappingNames, StatementError, TEXT_ENCODINGS } from '../importers/index.js';
import { importStatement } from '../reconcile/import.js';
import { importJson, statementFileJson } from '../reconcile/present.js';
import type { Storage } from '../storage/types.js';
import { STORE_ID } from '../tokens.js';
import { describeIssues } from '../wire.js';

const postQuery = z
  .object({
    // Checked by the importers: an unknown one is their STATEMENT_UNKNOWN_FORMAT.
    format: z.string().min(1).max(32),
    // A shipped mapping by name only: a path would let a caller read the server's files.
    mapping: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'the name of a shipped column mapping')
      .optional(),
    encoding: z.enum(TEXT_ENCODINGS).optional(),
    currency: z.string().regex(/^[A-Za-z]{3}$/, 'an ISO 4217 code').optional(),
    store: z.string().regex(STORE_ID, 'a store id').optional(),
    name: z.string().min(1).max(200).optional(),
  })
  .strict();

const listQuery = z.object({ all: z.enum(['true', 'false']).optional() }).strict();

export const statementRoutes: FastifyPluginAsync<{ storage: Storage; bodyBytes: number }> = async (app, { storage, bodyBytes }) => {
  // This plugin's routes take the file as it is: no JSON parsing, whatever the content type says.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: bodyBytes }, (_request, body, done) => done(null, body));

  app.post('/api/v1/statements', { config: { auth: 'user' }, bodyLimit: bodyBytes }, async (request, reply) => {
    const principal = request.principal;
    if (principal?.role !== 'user') throw apiError('FORBIDDEN');
    const q = postQuery.safeParse(request.query);
    if (!q.success) throw apiError('SCHEMA_VIOLATION', describeIssues(q.error));
    const { format, mapping, encoding, currency, store, name } = q.data;
    if (format === 'generic' && mapping === undefined) throw apiError('SCHEMA_VIOLATION', `mapping: format generic needs one of ${mappingNames().join(', ')}`);
    if (mapping !== undefined && !mappingNames().includes(mapping)) {
      throw apiError('STATEMENT_BAD_MAPPING', `No column mapping "${mapping}" (shipped: ${mappingNames().join(', ')}).`);
    }
    const body = request.body;
    const bytes = Buffer.isBuffer(body) ? body : Buffer.alloc(0);
    let result;
    try {
      result = await importStatement(storage, {
        format,
        bytes,
        options: { ...(mapping ? { mapping } : {}), ...(encoding ? { encoding } : {}), ...(currency ? { currency: currency.toUpperCase() } : {}) },
        store: store ?? null,
        name: name ?? null,
        by: principal.name,
      });
    } catch (err) {
      if (err instanceof StatementError) throw statementApiError(err);
      throw err;
    }
    request.log.info({ file: result.file.id, status: result.kind, rows: result.file.rowCount, by: principal.name }, 'statement import');
    return reply.status(result.kind === 'imported' ? 201 : 200).send(importJson(result));
  });

  app.get('/api/v1/statements', { config: { auth: 'user' } }, async (request) => {
    const q = listQuery.safeParse(request.query);
    if (!q.success) throw apiError('SCHEMA_VIOLATION', describeIssues(q.error));
    const files = await storage.statements.files({ includeSuperseded: q.data.all === 'true' });
    return files.map(statementFileJson);
  });
};
