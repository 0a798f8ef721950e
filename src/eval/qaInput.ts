/**
 * The question and answer files `scenegraph eval-qa` reads, parsed into single-choice questions and
 * answers by question id. Pure: the entries come from loadEvalFiles.ts (a JSON array gives one entry
 * per element, JSON Lines one per line, any other JSON value one entry).
 *
 * Questions, three shapes (mixed freely):
 * - `scenegraph text --format raw` output: per image `{image, qa: [QaItem...]}` (src/text/qa.ts). The
 *   single-choice items (`choices` + `correct`, generated with qaFormat 'choice' or 'both') are scored;
 *   a question's id is the id of its LLaVA record (`<image prefix>-qa-N`, src/text/llava.ts), so answers
 *   to the exported records score against the raw file.
 * - LLaVA records `{id, image, conversations}` as `scenegraph text` writes them: the first human turn is
 *   the question with its lettered option lines ("A. the cup"), the first gpt turn the correct option.
 *   The question type is the record's `kind` if it has one, else read from the question's template
 *   sentence (inferQaKind).
 * - Plain items `{id | question_id, choices | options: [..], correct | answer, kind | type | category,
 *   question?}`; `correct` is a letter or an option's text. A bare QaItem list is this shape.
 * Items that are not single-choice (open questions) are counted as skipped, not scored.
 *
 * Answers: a JSON object `{"<id>": "B", ...}`, or records `{question_id | id, answer | text |
 * prediction}` as a JSON array or JSON Lines (LLaVA's model_vqa writes `{question_id, text}`).
 * An empty or null answer counts as unanswered.
 */

import { UserInputError } from '../errors/errors';
import type { QaItem } from '../text/qa';
import { IMAGE_TOKEN, toLlavaRecords } from '../text/llava';
import { EVAL_LIMITS } from './evalLimits';
import { joinPath } from './evalImage';

export interface JsonEntry {
  value: unknown;
  /** Where it is: "q.json: [3]", "a.jsonl: line 7", "q.json". */
  path: string;
}

export interface ChoiceQuestion {
  id: string;
  kind: string;
  choices: string[];
  /** Index into `choices`. */
  correct: number;
  path: string;
}

export interface QuestionSet {
  questions: ChoiceQuestion[];
  /** Items that are not single-choice questions (open QA, descriptions, conversations). */
  skipped: number;
}

export interface AnswerSet {
  /** Question id -> the answer as given; null when empty. */
  answers: Map<string, string | null>;
}

export const UNKNOWN_KIND = 'unknown';

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The stems of src/text/qa.ts's single-choice templates, one per question type. */
const KIND_PATTERNS: ReadonlyArray<[RegExp, string]> = [
  [/^which of these objects is (nearest to|farthest from) the camera\?/i, 'front-back'],
  [/^which of these objects is (highest|lowest) in the scene\?/i, 'up-down'],
  [/^which list orders these objects /i, 'order'],
  [/^which of these objects partly hides /i, 'occlusion'],
  [/^imagine standing /i, 'multi-view'],
];

/** The QA kind of a generated question, read from its first sentence; 'unknown' for other text. */
export function inferQaKind(question: string): string {
  const stem = question.split(IMAGE_TOKEN).join('').trim();
  return KIND_PATTERNS.find(([re]) => re.test(stem))?.[1] ?? UNKNOWN_KIND;
}

const normaliseText = (s: string): string =>
  s
    .normalize('NFKC')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[.!]+$/, '')
    .trim();

export type AnswerReading =
  { status: 'letter' | 'text'; index: number } | { status: 'invalid-letter' | 'unparsed' };

/**
 * Which option an answer picks: by letter ("B", "b", "(B)", "B.", "B)", "B: ...", "B. the cup"), else
 * by the option's text (case, spacing and a final full stop ignored). A letter beyond the options is
 * 'invalid-letter'; text that is no option, or more than one, is 'unparsed'. Both count as wrong.
 */
export function readAnswer(answer: string, choices: readonly string[]): AnswerReading {
  const text = answer.trim();
  const m = /^(?:\(([A-Za-z])\)|([A-Za-z])(?=[.:)]|$))[.:)]?(?:\s+[\s\S]*)?$/.exec(text);
  if (m) {
    const index = LETTERS.indexOf((m[1] ?? m[2]).toUpperCase());
    return index < choices.length ? { status: 'letter', index } : { status: 'invalid-letter' };
  }
  const wanted = normaliseText(text);
  const hits = choices.flatMap((c, i) => (normaliseText(c) === wanted ? [i] : []));
  return hits.length === 1 ? { status: 'text', index: hits[0] } : { status: 'unparsed' };
}

function stringOrNumberId(v: unknown): string | undefined {
  if (typeof v === 'string' && v.length > 0) return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

function choiceList(v: unknown, path: string): string[] | undefined {
  if (v === undefined) return undefined;
  if (
    !Array.isArray(v) ||
    v.length < 2 ||
    v.length > LETTERS.length ||
    !v.every((c) => typeof c === 'string')
  ) {
    throw new UserInputError(`must be a list of 2 to ${LETTERS.length} option texts`, path);
  }
  return v as string[];
}

/** The correct option of a plain item: a letter or an option's text. */
function correctIndex(v: unknown, choices: string[], path: string): number {
  const reading = typeof v === 'string' ? readAnswer(v, choices) : ({ status: 'unparsed' } as const);
  if (reading.status === 'letter' || reading.status === 'text') return reading.index;
  throw new UserInputError(
    `must be the letter (A-${LETTERS[choices.length - 1]}) or the text of one of the ${choices.length} options; got ${JSON.stringify(v)}`,
    path,
  );
}

function plainItem(v: Record<string, unknown>, path: string): ChoiceQuestion | undefined {
  const choices = choiceList(
    v.choices ?? v.options,
    joinPath(path, v.choices !== undefined ? 'choices' : 'options'),
  );
  if (choices === undefined) return undefined;
  const id = stringOrNumberId(v.id ?? v.question_id);
  if (id === undefined)
    throw new UserInputError('must be a non-empty string or a number', joinPath(path, 'id'));
  const correctField = v.correct !== undefined ? 'correct' : 'answer';
  const correct = correctIndex(v[correctField], choices, joinPath(path, correctField));
  const declared = v.kind ?? v.type ?? v.category ?? v.question_type;
  const question = typeof v.question === 'string' ? v.question : typeof v.text === 'string' ? v.text : '';
  const kind = typeof declared === 'string' && declared.length > 0 ? declared : inferQaKind(question);
  return { id, kind, choices, correct, path };
}

/** Options are the consecutive lines "A. ...", "B. ..." of the question. */
function optionsInText(question: string): string[] {
  const options: string[] = [];
  for (const line of question.split('\n')) {
    const m = /^([A-Z])\.\s+(.*\S)\s*$/.exec(line.trim());
    if (m && m[1] === LETTERS[options.length]) options.push(m[2]);
  }
  return options;
}

function llavaRecord(v: Record<string, unknown>, path: string): ChoiceQuestion | undefined {
  const turns = v.conversations as unknown[];
  const turn = (from: string): string | undefined => {
    const t = turns.find((x) => isRecord(x) && x.from === from) as Record<string, unknown> | undefined;
    return typeof t?.value === 'string' ? t.value : undefined;
  };
  const question = turn('human');
  const answer = turn('gpt');
  if (question === undefined || answer === undefined) return undefined;
  const choices = optionsInText(question);
  if (choices.length < 2) return undefined;
  const reading = readAnswer(answer, choices);
  if (reading.status !== 'letter' && reading.status !== 'text') return undefined;
  const id = stringOrNumberId(v.id);
  if (id === undefined)
    throw new UserInputError('must be a non-empty string or a number', joinPath(path, 'id'));
  const kind = typeof v.kind === 'string' && v.kind ? v.kind : inferQaKind(question);
  return { id, kind, choices, correct: reading.index, path };
}

function trainingData(
  v: Record<string, unknown>,
  path: string,
): { questions: ChoiceQuestion[]; skipped: number } {
  const image = v.image;
  if (!isRecord(image) || typeof image.uri !== 'string') {
    throw new UserInputError('must be an object with a uri', joinPath(path, 'image'));
  }
  const qa = v.qa as unknown[];
  const items = qa.map((item, i) => {
    const p = joinPath(path, `qa[${i}]`);
    if (!isRecord(item) || typeof item.id !== 'string' || typeof item.question !== 'string') {
      throw new UserInputError('must be a QA item {id, kind, question, answer, ...}', p);
    }
    return item;
  });
  // The ids LLaVA export gives these items: the same function, so the two can never disagree.
  const ids = toLlavaRecords({
    image: {
      uri: image.uri,
      width: 0,
      height: 0,
      sha256: typeof image.sha256 === 'string' ? image.sha256 : undefined,
    },
    seed: 0,
    grounded: false,
    qa: items.map((item) => ({ ...(item as unknown as QaItem), answer: '' })),
  }).map((r) => r.id);
  const questions: ChoiceQuestion[] = [];
  items.forEach((item, i) => {
    const q = plainItem({ ...item, id: ids[i] }, joinPath(path, `qa[${i}]`));
    if (q) questions.push(q);
  });
  return { questions, skipped: items.length - questions.length };
}

export function parseQuestions(entries: readonly JsonEntry[]): QuestionSet {
  const questions: ChoiceQuestion[] = [];
  let skipped = 0;
  for (const { value, path } of entries) {
    if (!isRecord(value))
      throw new UserInputError("must be an object (a question, a LLaVA record or an image's QA)", path);
    if (Array.isArray(value.qa)) {
      const r = trainingData(value, path);
      questions.push(...r.questions);
      skipped += r.skipped;
      continue;
    }
    const q = Array.isArray(value.conversations) ? llavaRecord(value, path) : plainItem(value, path);
    if (q) questions.push(q);
    else skipped++;
    if (questions.length > EVAL_LIMITS.maxQuestions) {
      throw new UserInputError(`more than ${EVAL_LIMITS.maxQuestions} questions; evaluate in parts`, path);
    }
  }
  const seen = new Map<string, string>();
  for (const q of questions) {
    const first = seen.get(q.id);
    if (first !== undefined) {
      throw new UserInputError(
        `question id ${JSON.stringify(q.id)} is also used at ${first}; ids must be unique`,
        q.path,
      );
    }
    seen.set(q.id, q.path);
  }
  return { questions, skipped };
}

function answerText(v: unknown, path: string): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v !== 'string') throw new UserInputError(`must be a string; got ${JSON.stringify(v)}`, path);
  return v.trim() === '' ? null : v;
}

export function parseAnswers(entries: readonly JsonEntry[]): AnswerSet {
  const answers = new Map<string, string | null>();
  const where = new Map<string, string>();
  const add = (id: string, answer: string | null, path: string): void => {
    const first = where.get(id);
    if (first !== undefined) {
      throw new UserInputError(
        `a second answer to question ${JSON.stringify(id)} (the first is at ${first})`,
        path,
      );
    }
    where.set(id, path);
    answers.set(id, answer);
    if (answers.size > EVAL_LIMITS.maxQuestions) {
      throw new UserInputError(`more than ${EVAL_LIMITS.maxQuestions} answers; evaluate in parts`, path);
    }
  };
  const single = entries.length === 1 ? entries[0] : undefined;
  const isMap =
    single !== undefined &&
    isRecord(single.value) &&
    single.value.question_id === undefined &&
    single.value.id === undefined;
  if (isMap) {
    for (const [id, v] of Object.entries(single.value as Record<string, unknown>)) {
      add(id, answerText(v, joinPath(single.path, JSON.stringify(id))), single.path);
    }
    return { answers };
  }
  for (const { value, path } of entries) {
    if (!isRecord(value)) throw new UserInputError('must be an object {question_id, answer}', path);
    const id = stringOrNumberId(value.question_id ?? value.id);
    if (id === undefined) {
      throw new UserInputError('needs a question_id (or id): a non-empty string or a number', path);
    }
    const field = ['answer', 'text', 'prediction'].find((f) => value[f] !== undefined) ?? 'answer';
    add(id, answerText(value[field], joinPath(path, field)), path);
  }
  return { answers };
}
