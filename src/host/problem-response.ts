/**
 * problem+json written straight to Node's response, for handlers that answer outside Fastify
 * (the gateway's data plane): the same body, status, `Retry-After` on 503 and Bearer
 * challenge as `sendProblem`, and the request id.
 */
import type { ServerResponse } from 'node:http';
import { errorTable, problem, type ErrorCode } from '../contract/errors.ts';
import { bearerChallenge, RETRY_AFTER_SECONDS } from './problem-headers.ts';

export interface RawProblem {
  code: ErrorCode;
  detail: string;
  status?: number;
  extra?: Record<string, unknown>;
  /** A scope that would do, for `insufficient_scope`. */
  requiredScope?: string;
}

/** Writes the problem and ends the response; returns the status sent. */
export function writeProblem(res: ServerResponse, requestId: string, authorization: string | undefined, p: RawProblem): number {
  const body = JSON.stringify(problem(p.code, p.detail, requestId, p.status, p.extra));
  if (res.headersSent) {
    res.destroy();
    return 0;
  }
  const status = p.status ?? errorTable[p.code].status;
  const headers: Record<string, string | number> = {
    'content-type': 'application/problem+json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'x-request-id': requestId,
  };
  if (status === 503) headers['retry-after'] = String(RETRY_AFTER_SECONDS);
  const challenge = bearerChallenge(authorization, p.code, p.requiredScope);
  if (challenge) headers['www-authenticate'] = challenge;
  res.writeHead(status, headers);
  res.end(body);
  return status;
}
