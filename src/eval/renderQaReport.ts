/** The text form of a QA accuracy report (what `scenegraph eval-qa` prints). Percentages. */

import type { QaCounts, QaReport } from './qaEval';
import { percent, textTable } from './textTable';

const cells = (c: QaCounts): string[] => [
  String(c.questions),
  String(c.answered),
  String(c.unanswered),
  String(c.unparsed),
  String(c.correct),
  percent(c.accuracy),
];

export function renderQaReport(r: QaReport): string {
  return [
    'Spatial QA evaluation: single-choice accuracy (correct / questions)',
    '',
    textTable(
      ['type', 'questions', 'answered', 'unanswered', 'unparsed', 'correct', 'accuracy %'],
      [...r.byKind.map((k) => [k.kind, ...cells(k)]), ['all', ...cells(r.overall)]],
    ),
    '',
    `accuracy ${percent(r.overall.accuracy)} (random choice: ${percent(r.overall.chance)})`,
    ...r.notes.map((n) => `note: ${n}`),
    '',
  ].join('\n');
}
