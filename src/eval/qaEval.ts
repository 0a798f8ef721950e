/**
 * Spatial QA accuracy (SPEC section 8): single-choice answers scored against the correct option,
 * overall and per question type. Accuracy = correct / questions: an unanswered question, an answer
 * that names no option and a letter beyond the options all count as wrong, and are reported apart so a
 * low score can be told from a formatting problem. Pure; the inputs come from qaInput.ts.
 */

import { readAnswer, type AnswerSet, type QuestionSet } from './qaInput';
import type { ChoiceQuestion } from './qaInput';

export interface QaCounts {
  questions: number;
  answered: number;
  unanswered: number;
  /** Answered, but neither a valid option letter nor the text of exactly one option. */
  unparsed: number;
  correct: number;
  /** correct / questions, in [0, 1]. */
  accuracy: number;
  /** Expected accuracy of a uniform random pick (mean of 1 / options): 0.25 for four options. */
  chance: number;
}

export interface QaReport {
  metric: 'single-choice accuracy';
  overall: QaCounts;
  /** Per question type (`kind`), in order of first appearance. */
  byKind: Array<{ kind: string } & QaCounts>;
  /** Items in the question file that are not single-choice questions, not scored. */
  skipped: number;
  /** Answers whose id matches no question (ignored). */
  answersWithoutQuestion: number;
  notes: string[];
}

function count(questions: readonly ChoiceQuestion[], answers: AnswerSet['answers']): QaCounts {
  let answered = 0;
  let unparsed = 0;
  let correct = 0;
  for (const q of questions) {
    const a = answers.get(q.id);
    if (a === undefined || a === null) continue;
    answered++;
    const reading = readAnswer(a, q.choices);
    if (reading.status === 'letter' || reading.status === 'text') {
      if (reading.index === q.correct) correct++;
    } else {
      unparsed++;
    }
  }
  const n = questions.length;
  return {
    questions: n,
    answered,
    unanswered: n - answered,
    unparsed,
    correct,
    accuracy: n > 0 ? correct / n : 0,
    chance: n > 0 ? questions.reduce((s, q) => s + 1 / q.choices.length, 0) / n : 0,
  };
}

export function evaluateQa(questions: QuestionSet, answers: AnswerSet): QaReport {
  const kinds = new Map<string, ChoiceQuestion[]>();
  for (const q of questions.questions) {
    const list = kinds.get(q.kind);
    if (list) list.push(q);
    else kinds.set(q.kind, [q]);
  }
  const ids = new Set(questions.questions.map((q) => q.id));
  const answersWithoutQuestion = [...answers.answers.keys()].filter((id) => !ids.has(id)).length;
  const overall = count(questions.questions, answers.answers);
  const notes = ['unanswered and unparsed answers count as wrong'];
  if (answersWithoutQuestion > 0)
    notes.push(`${answersWithoutQuestion} answers name no question id and were ignored`);
  if (questions.skipped > 0)
    notes.push(`${questions.skipped} items are not single-choice questions and were not scored`);
  return {
    metric: 'single-choice accuracy',
    overall,
    byKind: [...kinds].map(([kind, qs]) => ({ kind, ...count(qs, answers.answers) })),
    skipped: questions.skipped,
    answersWithoutQuestion,
    notes,
  };
}
