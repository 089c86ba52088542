/**
 * Version ordering per ecosystem.
 *
 * - npm: strict semver (semver package), prereleases included.
 * - golang: semver after the leading `v` (optional: advisories write bare versions;
 *   pseudo-versions are semver prereleases).
 * - pypi, maven: semver when both versions are strict semver; otherwise the segment
 *   comparator below, because real versions there are often not semver (`3.2`,
 *   `2.0-beta9`, `32.0.0-jre`, `1.0rc1`, `2.12.6.1`).
 * - deb: the dpkg algorithm (epoch, upstream, revision; `~` sorts before everything).
 *
 * The segment comparator splits a version into runs of digits and runs of letters
 * (separators `.`, `-`, `_`, `+` only delimit). Numbers compare numerically, words
 * case-insensitively. When one version runs out, trailing zeros are equal to nothing,
 * a pre-release word (alpha, a, beta, b, c, rc, cr, m, milestone, pre, preview, dev,
 * snapshot) makes the longer version smaller, any other word (jre, sp, post, final…)
 * makes it greater. A word sorts before a number at the same position.
 */
import semver from 'semver';
import { TenantgateError } from '../../../contract/errors.ts';
import type { Ecosystem } from './ecosystems.ts';

export class UnparseableVersionError extends TenantgateError {
  constructor(readonly ecosystem: Ecosystem, readonly version: string) {
    super('validation_failed', `${JSON.stringify(version)} is not a valid ${ecosystem} version`);
  }
}

export function isValidVersion(ecosystem: Ecosystem, version: string): boolean {
  switch (ecosystem) {
    case 'npm':
      return semver.valid(version) !== null;
    case 'golang':
      return semver.valid(stripV(version)) !== null;
    case 'deb':
      return parseDebVersion(version) !== null;
    default:
      return segments(version) !== null;
  }
}

/** Negative when a < b, 0 when equal, positive when a > b; throws on an invalid version. */
export function compareVersions(ecosystem: Ecosystem, a: string, b: string): number {
  if (!isValidVersion(ecosystem, a)) throw new UnparseableVersionError(ecosystem, a);
  if (!isValidVersion(ecosystem, b)) throw new UnparseableVersionError(ecosystem, b);
  switch (ecosystem) {
    case 'npm':
      return semver.compare(a, b);
    case 'golang':
      return semver.compare(stripV(a), stripV(b));
    case 'deb':
      return compareDeb(parseDebVersion(a)!, parseDebVersion(b)!);
    default:
      if (semver.valid(a) && semver.valid(b)) return semver.compare(a, b);
      return compareSegments(segments(a)!, segments(b)!);
  }
}

const stripV = (v: string) => (v.startsWith('v') ? v.slice(1) : v);

// ---- segment comparator (pypi/maven fallback) ----

type Segment = number | string;
const PRE_RELEASE = new Set(['alpha', 'a', 'beta', 'b', 'c', 'rc', 'cr', 'm', 'milestone', 'pre', 'preview', 'dev', 'snapshot', 'ea']);

function segments(version: string): Segment[] | null {
  const v = version.trim();
  if (!/^[0-9][0-9A-Za-z.\-_+!]*$/.test(v) || v.length > 128) return null;
  const out: Segment[] = [];
  for (const m of v.matchAll(/[0-9]+|[A-Za-z]+/g)) {
    out.push(/^[0-9]/.test(m[0]) ? Number(m[0]) : m[0].toLowerCase());
  }
  return out;
}

function compareSegments(a: Segment[], b: Segment[]): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined) return -tail(y!);
    if (y === undefined) return tail(x);
    if (typeof x === 'number' && typeof y === 'number') {
      if (x !== y) return x < y ? -1 : 1;
    } else if (typeof x === 'string' && typeof y === 'string') {
      if (x !== y) return compareWords(x, y);
    } else {
      return typeof x === 'string' ? -1 : 1;
    }
  }
  return 0;
}

/** Sign of "version continues with `s`" against "version ended here". */
function tail(s: Segment): number {
  if (typeof s === 'number') return s === 0 ? 0 : 1;
  return PRE_RELEASE.has(s) ? -1 : 1;
}

function compareWords(x: string, y: string): number {
  const px = PRE_RELEASE.has(x);
  const py = PRE_RELEASE.has(y);
  if (px !== py) return px ? -1 : 1;
  return x < y ? -1 : 1;
}

// ---- dpkg ----

interface DebVersion {
  epoch: number;
  upstream: string;
  revision: string;
}

function parseDebVersion(version: string): DebVersion | null {
  const m = /^(?:(\d+):)?([0-9][A-Za-z0-9.+~:-]*?)(?:-([A-Za-z0-9.+~]+))?$/.exec(version.trim());
  if (!m) return null;
  const upstream = m[2];
  // A colon in the upstream part is only allowed when an epoch is present; a hyphen only with a revision.
  if (!m[1] && upstream.includes(':')) return null;
  if (!m[3] && upstream.includes('-')) return null;
  return { epoch: m[1] ? Number(m[1]) : 0, upstream, revision: m[3] ?? '' };
}

function compareDeb(a: DebVersion, b: DebVersion): number {
  if (a.epoch !== b.epoch) return a.epoch < b.epoch ? -1 : 1;
  return verrevcmp(a.upstream, b.upstream) || verrevcmp(a.revision, b.revision);
}

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
const isLetter = (c: string) => /[A-Za-z]/.test(c);

function order(c: string | undefined): number {
  if (c === undefined || isDigit(c)) return 0;
  if (isLetter(c)) return c.charCodeAt(0);
  if (c === '~') return -1;
  return c.charCodeAt(0) + 256;
}

/** dpkg's verrevcmp: alternating non-digit and digit runs. */
function verrevcmp(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while ((i < a.length && !isDigit(a[i])) || (j < b.length && !isDigit(b[j]))) {
      const ac = order(a[i]);
      const bc = order(b[j]);
      if (ac !== bc) return Math.sign(ac - bc);
      i++;
      j++;
    }
    while (a[i] === '0') i++;
    while (b[j] === '0') j++;
    let firstDiff = 0;
    while (isDigit(a[i]) && isDigit(b[j])) {
      if (!firstDiff) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (isDigit(a[i])) return 1;
    if (isDigit(b[j])) return -1;
    if (firstDiff) return Math.sign(firstDiff);
  }
  return 0;
}
