/**
 * Request bodies: JSON only (anything else is 415), `Content-Encoding: gzip` or none (others are
 * 415), and the body limit applies to the inflated size too (fastify counts the bytes our gunzip
 * stream yields, and the compressed bytes through `receivedEncodedLength`), so a small gzip bomb
 * is a 413 long before it fills memory.
 */
import { createGunzip } from 'node:zlib';
import { apiError } from '../errors.js';
import { global } from './global.js';

const WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

export const bodyPlugin = global(async (app) => {
  app.removeAllContentTypeParsers();
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    parseJson(request, body as string, (err, value) => {
      if (!err) done(null, value);
      else if ((err as { code?: string }).code === 'FST_ERR_CTP_EMPTY_JSON_BODY') done(apiError('BAD_JSON', 'The body is empty: send a JSON object.'), undefined);
      else if ((err as { code?: string }).code === 'FST_ERR_CTP_INVALID_JSON_BODY') done(apiError('BAD_JSON'), undefined);
      // secure-json-parse refuses __proto__ and constructor.prototype keys.
      else done(apiError('BAD_JSON', `The body is not acceptable JSON: ${err.message.split('\n')[0]}`), undefined);
    });
  });

  app.addHook('preParsing', async (request, reply, payload) => {
    if (!WITH_BODY.has(request.method)) return payload;
    const encoding = (request.headers['content-encoding'] ?? '').trim().toLowerCase();
    if (encoding === '' || encoding === 'identity') return payload;
    if (encoding !== 'gzip' && encoding !== 'x-gzip') {
      throw apiError('UNSUPPORTED_MEDIA_TYPE', `Content-Encoding "${encoding}" is not supported: send gzip or none.`);
    }
    const gunzip = createGunzip();
    const inflated = gunzip as typeof gunzip & { receivedEncodedLength: number };
    inflated.receivedEncodedLength = 0;
    payload.on('data', (chunk: Buffer) => {
      inflated.receivedEncodedLength += chunk.length;
    });
    payload.on('error', (err) => gunzip.destroy(err));
    payload.pipe(gunzip);
    // Once the answer is out (a 413 stops reading part way) nothing must keep inflating. Not the
    // request's 'close': Node emits that as soon as the body has been read, before gunzip flushes.
    reply.raw.once('close', () => gunzip.destroy());
    return inflated;
  });
});
