/**
 * Reads JUnit XML (node's junit reporter, Playwright, surefire, pytest) into cases. Only
 * the shape every producer shares is read: <testcase> elements, with <failure>/<error>
 * meaning failed and <skipped> meaning skipped.
 */
import type { EvidenceCase } from '../model.ts';
import { TenantgateError } from '../../contract/errors.ts';

export class EvidenceFormatError extends TenantgateError {
  constructor(message: string) {
    super('validation_failed', message);
  }
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function decodeXml(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_m, e: string) => {
    if (e[0] === '#') return String.fromCodePoint(e[1].toLowerCase() === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    return ENTITIES[e.toLowerCase()];
  });
}

function attribute(tag: string, name: string): string | null {
  const m = new RegExp(`\\s${name}\\s*=\\s*("([^"]*)"|'([^']*)')`).exec(tag);
  return m ? decodeXml(m[2] ?? m[3]) : null;
}

export function parseJunit(xml: string): EvidenceCase[] {
  if (!/<testsuites?[\s>]/.test(xml) && !/<testcase[\s>/]/.test(xml)) throw new EvidenceFormatError('not JUnit XML: no <testsuite> or <testcase> element');
  const body = xml.replace(/<!--[\s\S]*?-->/g, '').replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, '');
  const cases: EvidenceCase[] = [];
  const re = /<testcase\b([^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g;
  for (let m = re.exec(body); m; m = re.exec(body)) {
    const open = m[1];
    const inner = m[3] ?? '';
    const name = attribute(open, 'name') ?? '(unnamed)';
    const classname = attribute(open, 'classname');
    const full = classname && classname !== name ? `${classname} › ${name}` : name;
    const failure = /<(failure|error)\b([^>]*)/.exec(inner);
    if (failure) cases.push({ name: full, status: 'failed', message: attribute(failure[2], 'message') ?? failure[1] });
    else if (/<skipped\b/.test(inner)) cases.push({ name: full, status: 'skipped' });
    else cases.push({ name: full, status: 'passed' });
  }
  if (cases.length === 0) throw new EvidenceFormatError('JUnit XML without any <testcase>');
  return cases;
}
