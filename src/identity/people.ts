/**
 * Names for the ids that stand for people and programs: a user id → the username, a client
 * id → the client's display name (the view `authority.people`, migration 0102). The APIs the
 * console calls keep every id and add these names beside them.
 */
import type { Queryable } from '../db/database.ts';

export interface Person {
  id: string;
  kind: 'user' | 'client';
  name: string;
}

export type People = ReadonlyMap<string, Person>;

/**
 * The ids inside an actor string: a bare user or client id (the token subject, as the audit
 * log and triage history record it), or the rollout controller's `user:<id> via <client>` and
 * `client:<id>` forms. Other actors (`cli:…`, `webhook:…`, `demo-seed`) name no one here.
 */
export function actorIds(actor: string | null | undefined): string[] {
  if (!actor) return [];
  const via = /^user:(\S+) via (\S+)$/.exec(actor);
  if (via) return [via[1], via[2]];
  const client = /^client:(\S+)$/.exec(actor);
  if (client) return [client[1]];
  return /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/.test(actor) ? [actor] : [];
}

/** Looks up every id at once; unknown ids are absent from the map. */
export async function lookupPeople(db: Queryable, ids: Iterable<string | null | undefined>): Promise<People> {
  const wanted = [...new Set([...ids].filter((id): id is string => typeof id === 'string' && id !== ''))];
  const people = new Map<string, Person>();
  if (wanted.length === 0) return people;
  const { rows } = await db.query<Person>('select id, kind, name from authority.people where id = any($1::text[])', [wanted]);
  // A user id and a client id never collide in practice; if they do, the user wins.
  for (const r of rows) if (!people.has(r.id) || r.kind === 'user') people.set(r.id, r);
  return people;
}

/** How to show an actor: `alice`, `alice via Web console`, `Scanner bot`; null when it names no one known. */
export function actorName(actor: string | null | undefined, people: People): string | null {
  if (!actor) return null;
  const via = /^user:(\S+) via (\S+)$/.exec(actor);
  if (via) {
    const user = people.get(via[1])?.name;
    return user ? `${user} via ${people.get(via[2])?.name ?? via[2]}` : null;
  }
  const client = /^client:(\S+)$/.exec(actor);
  if (client) return people.get(client[1])?.name ?? null;
  return people.get(actor)?.name ?? null;
}
