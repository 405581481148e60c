/** Sending what storage answered for an idempotent POST, fresh or replayed. */
import type { FastifyReply } from 'fastify';
import { apiError } from '../errors.js';
import type { Idempotent, StoredAnswer } from '../storage/types.js';

export function sendIdempotent<R>(reply: FastifyReply, out: Idempotent<R>): FastifyReply {
  if (out.kind === 'key-reused') throw apiError('IDEMPOTENCY_KEY_REUSED');
  if (out.kind === 'replay') void reply.header('idempotent-replayed', 'true');
  return sendStored(reply, out.answer);
}

function sendStored(reply: FastifyReply, a: StoredAnswer): FastifyReply {
  return reply.status(a.status).type('application/json; charset=utf-8').send(a.body);
}
