/**
 * Requests refused before any route sees them — by Node's HTTP parser (headers or request
 * line too large, malformed HTTP, a client too slow to send its headers) or by the router (a
 * malformed URL, a path parameter past the limit) — are answered like every other refusal:
 * problem+json with `validation_failed` and the status that fits, never Fastify's own bodies.
 *
 * And one gap in schema validation: Ajv coerces the string `1e309` to Infinity for an
 * `integer` or `number` field and then skips `minimum`/`maximum` (they apply to finite
 * numbers only), so a validated query, path or body value may still be ±Infinity.
 * `finiteNumbers` refuses it on every route that has a schema.
 */
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { TenantgateError, problem } from '../contract/errors.ts';

/**
 * Longest path parameter the router accepts (Fastify's default is 100). Ids are at most 128
 * characters (tenants, users, clients), up to three times that once percent-encoded.
 */
export const MAX_PARAM_LENGTH = 512;

/** Router refusals (Fastify's `frameworkErrors`): FST_ERR_BAD_URL (400), FST_ERR_MAX_PARAM_LENGTH (414). */
export function frameworkRefusal(err: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  const status = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 400;
  const detail = err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? `a path segment is longer than ${MAX_PARAM_LENGTH} characters` : 'the request URL is malformed';
  void reply.code(status).type('application/problem+json').send(problem('validation_failed', detail, req.id, status));
}

/** Parser refusals (the server's `clientError`): written straight to the socket, which is then closed. */
export function clientErrorRefusal(err: NodeJS.ErrnoException & { bytesParsed?: number }, socket: Socket): void {
  // A reset connection, or one already gone: nobody to answer.
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const detail = status === 431 ? 'the request line or headers are too large' : status === 408 ? 'the request headers did not arrive in time' : 'the request is not well-formed HTTP';
  if (socket.writable) {
    const body = JSON.stringify(problem('validation_failed', detail, randomUUID(), status));
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}

/** True when `value` holds a non-finite number anywhere in its plain objects and arrays. */
function holdsNonFinite(value: unknown): boolean {
  // Iterative: a deeply nested JSON body must not overflow the stack.
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const v = pending.pop();
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return true;
    } else if (Array.isArray(v)) {
      for (const item of v) pending.push(item);
    } else if (typeof v === 'object' && v !== null && !ArrayBuffer.isView(v) && !(v instanceof ArrayBuffer) && typeof (v as { pipe?: unknown }).pipe !== 'function') {
      // Parsed values (the query object has a prototype of its own); a Buffer or stream body is not walked.
      for (const key of Object.keys(v)) pending.push((v as Record<string, unknown>)[key]);
    }
  }
  return false;
}

/** A preHandler for routes with a schema: a validated value that is ±Infinity is 400 `validation_failed`. */
export function finiteNumbers(req: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void {
  for (const [part, value] of [['path', req.params], ['query', req.query], ['body', req.body]] as const) {
    if (holdsNonFinite(value)) return done(new TenantgateError('validation_failed', `a number in the request ${part} is out of range`));
  }
  done();
}
