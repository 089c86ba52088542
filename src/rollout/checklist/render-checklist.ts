/** The checklist report as bytes: canonical JSON and Markdown, each with its sha256. */
import { canonicalJson, sha256, type ChecklistReport } from './evaluate-checklist.ts';

export interface RenderedChecklist {
  json: string;
  markdown: string;
  jsonSha256: string;
  markdownSha256: string;
}

export function renderChecklist(report: ChecklistReport): RenderedChecklist {
  const json = canonicalJson(report) + '\n';
  const lines = [
    `# Production readiness checklist (${report.policy})`,
    '',
    '| # | item | status | reason |',
    '|---|---|---|---|',
    ...report.items.map((item, i) => `| ${i + 1} | ${escape(item.description)} | ${item.status === 'green' ? 'GREEN' : 'RED'} | ${escape(item.reason)} |`),
    '',
    '## Evidence',
    '',
    ...(report.items.flatMap((i) => i.evidence).length === 0
      ? ['(none recorded)']
      : report.items.flatMap((item) => item.evidence.map((e) => `- ${item.id}: #${e.id} ${e.kind} \`${e.name}\` recorded ${e.recordedAt}, ${e.total - e.failed}/${e.total} passed, sha256 \`${e.sha256}\``))),
    '',
    `Evidence hash (decisions are recorded against it): \`${report.evidenceSha256}\``,
    '',
    report.red.length === 0 ? 'All evidence items are green.' : `Red: ${report.red.join(', ')}.`,
    '',
  ];
  const markdown = lines.join('\n');
  return { json, markdown, jsonSha256: sha256(json), markdownSha256: sha256(markdown) };
}

function escape(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}
