/** Reading OAuth form parameters: a parameter sent twice is an error (RFC 6749 §3.1), never "first wins". */
import { OAuthError } from './oauth-error.ts';

export type FormBody = Record<string, string | string[] | undefined>;

export function allValues(body: FormBody, name: string): string[] {
  const value = body[name];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

export function singleValue(body: FormBody, name: string): string | undefined {
  const values = allValues(body, name);
  if (values.length > 1) throw new OAuthError('invalid_request', `the ${name} parameter was sent more than once`, 'duplicate_parameter');
  return values[0] === '' ? undefined : values[0];
}

export function requiredValue(body: FormBody, name: string): string {
  const value = singleValue(body, name);
  if (value === undefined) throw new OAuthError('invalid_request', `the ${name} parameter is required`);
  return value;
}

/** JSON Schema for an urlencoded OAuth body: every value a string or, when repeated, an array. */
export const formBodySchema = {
  type: 'object',
  additionalProperties: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
} as const;
