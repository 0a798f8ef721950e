/** Spatial QA accuracy: answer reading, hand-computed accuracy, and the project's own generated QA. */
import { UserInputError } from '../../../src/errors/errors';
import { evaluateQa } from '../../../src/eval/qaEval';
import {
  inferQaKind,
  parseAnswers,
  parseQuestions,
  readAnswer,
  type JsonEntry,
} from '../../../src/eval/qaInput';
import { renderQaReport } from '../../../src/eval/renderQaReport';
import type { SceneGraph } from '../../../src/scenegraph/sceneGraph.types';
import { toDepthMap } from '../../../src/spatial/depthMap';
import { buildSceneGraph } from '../../../src/spatial/engine';
import { generateScene } from '../../../src/synth/generateScene';
import { CHOICE_LETTERS } from '../../../src/text/qa';
import { toLlavaRecords } from '../../../src/text/llava';
import { generateTrainingData, type TrainingData } from '../../../src/text/trainingData';

const entries = (values: unknown[], file = 'q.json'): JsonEntry[] =>
  values.map((value, i) => ({ value, path: `${file}: [${i}]` }));
const one = (value: unknown, file = 'a.json'): JsonEntry[] => [{ value, path: file }];

const CHOICES = ['the cup', 'the table', 'the lamp', 'the chair'];

describe('readAnswer', () => {
  it.each([
    ['B', 1],
    ['b', 1],
    ['(B)', 1],
    ['B.', 1],
    ['B)', 1],
    ['B: the table', 1],
    ['B. the table', 1],
    ['(C) the lamp', 2],
    ['  D  ', 3],
    ['the lamp', 2],
    ['The  Lamp.', 2],
    ['THE CUP', 0],
  ])('%j picks option %d', (answer, index) => {
    expect(readAnswer(answer, CHOICES)).toMatchObject({ index });
  });

  it.each([
    ['E', 'invalid-letter'],
    ['(F)', 'invalid-letter'],
    ['the sofa', 'unparsed'],
    ['BC', 'unparsed'],
    ['A cup', 'unparsed'],
    ['I think B', 'unparsed'],
  ])('%j is %s', (answer, status) => {
    expect(readAnswer(answer, CHOICES)).toEqual({ status });
  });

  it('does not guess between two options with the same text', () => {
    expect(readAnswer('the cup', ['the cup', 'The cup', 'x', 'y'])).toEqual({ status: 'unparsed' });
  });
});

describe('evaluateQa', () => {
  // 6 questions, two kinds. Answers: q1 right letter, q2 right text, q3 wrong letter, q4 unparsed,
  // q5 empty (unanswered), q6 missing (unanswered). Correct: 2 of 6.
  // front-back (q1, q2, q3): 2/3 correct; occlusion (q4, q5, q6): 0/3, 1 answered, 1 unparsed.
  const items = [
    { id: 'q1', kind: 'front-back', choices: CHOICES, correct: 'A' },
    { id: 'q2', kind: 'front-back', choices: CHOICES, correct: 'C' },
    { id: 'q3', kind: 'front-back', choices: CHOICES, correct: 'the chair' },
    { id: 'q4', kind: 'occlusion', choices: CHOICES, correct: 'B' },
    { id: 'q5', kind: 'occlusion', choices: CHOICES, correct: 'B' },
    { id: 'q6', kind: 'occlusion', choices: CHOICES, correct: 'B' },
    { id: 'open-1', kind: 'front-back', question: 'Is the cup in front of the lamp?', answer: 'Yes.' },
  ];
  const answers = { q1: '(A)', q2: 'the lamp', q3: 'B', q4: 'maybe', q5: '', stray: 'A' };

  it('scores the hand-computed case overall and per type', () => {
    const r = evaluateQa(parseQuestions(entries(items)), parseAnswers(one(answers)));
    expect(r.overall).toEqual({
      questions: 6,
      answered: 4,
      unanswered: 2,
      unparsed: 1,
      correct: 2,
      accuracy: 2 / 6,
      chance: 0.25,
    });
    expect(r.byKind).toEqual([
      {
        kind: 'front-back',
        questions: 3,
        answered: 3,
        unanswered: 0,
        unparsed: 0,
        correct: 2,
        accuracy: 2 / 3,
        chance: 0.25,
      },
      {
        kind: 'occlusion',
        questions: 3,
        answered: 1,
        unanswered: 2,
        unparsed: 1,
        correct: 0,
        accuracy: 0,
        chance: 0.25,
      },
    ]);
    expect(r.skipped).toBe(1);
    expect(r.answersWithoutQuestion).toBe(1);
    const text = renderQaReport(r);
    expect(text).toMatch(/^front-back\s+3\s+3\s+0\s+0\s+2\s+66\.67$/m);
    expect(text).toMatch(/^all\s+6\s+4\s+2\s+1\s+2\s+33\.33$/m);
    expect(text).toContain('accuracy 33.33 (random choice: 25.00)');
  });

  it('reads answers as records (LLaVA model_vqa: question_id + text), with numeric ids and nulls', () => {
    const qs = parseQuestions(
      entries([
        { question_id: 7, choices: ['yes', 'no'], answer: 'B', type: 'yes-no' },
        ...items.slice(0, 2),
      ]),
    );
    const as = parseAnswers(
      entries(
        [
          { question_id: 7, text: 'no' },
          { id: 'q1', answer: 'A' },
          { question_id: 'q2', prediction: null },
        ],
        'a.jsonl',
      ),
    );
    const r = evaluateQa(qs, as);
    expect(r.overall).toMatchObject({ questions: 3, answered: 2, correct: 2 });
    expect(r.byKind.map((k) => k.kind)).toEqual(['yes-no', 'front-back']);
    expect(r.overall.chance).toBeCloseTo((0.5 + 0.25 + 0.25) / 3, 12);
  });

  it('refuses duplicate question ids and duplicate answers, naming where', () => {
    expect(() => parseQuestions(entries([items[0], items[0]]))).toThrow(
      new UserInputError('question id "q1" is also used at q.json: [0]; ids must be unique', 'q.json: [1]'),
    );
    expect(() =>
      parseAnswers(
        entries(
          [
            { id: 'q1', answer: 'A' },
            { id: 'q1', answer: 'B' },
          ],
          'a.json',
        ),
      ),
    ).toThrow('a.json: [1]: a second answer to question "q1" (the first is at a.json: [0])');
  });

  it('refuses a malformed item with its JSON path', () => {
    expect(() => parseQuestions(entries([{ id: 'x', choices: ['a'], correct: 'A' }]))).toThrow(
      'q.json: [0].choices: must be a list of 2 to 26 option texts',
    );
    expect(() => parseQuestions(entries([{ id: 'x', choices: ['a', 'b'], correct: 'C' }]))).toThrow(
      'q.json: [0].correct: must be the letter (A-B) or the text of one of the 2 options; got "C"',
    );
    expect(() => parseQuestions(entries([{ choices: ['a', 'b'], correct: 'A' }]))).toThrow('q.json: [0].id');
    expect(() => parseQuestions(entries([42]))).toThrow('q.json: [0]: must be an object');
    expect(() => parseAnswers(entries([{ id: 'q1', answer: 3 }]))).toThrow(
      'q.json: [0].answer: must be a string; got 3',
    );
  });
});

describe("the project's own generated QA", () => {
  let graphs: SceneGraph[];
  let data: TrainingData[];

  beforeAll(async () => {
    graphs = [];
    for (const seed of [1, 2, 3, 4]) {
      const s = await generateScene({ seed, objects: 12 });
      graphs.push(
        buildSceneGraph(s.scene, toDepthMap(s.depth.data, s.depth.width, s.depth.height, { unit: 'meters' })),
      );
    }
    data = graphs.map((g) =>
      generateTrainingData(g, { seed: 5, kinds: ['qa'], qaFormat: 'both', maxQa: 400 }),
    );
  });

  const choiceItems = () => data.flatMap((d) => d.qa.filter((q) => q.choices));

  it('scores `text --format raw` output directly: single-choice items, ids as in the LLaVA export', () => {
    const qs = parseQuestions(entries(data, 'raw.json'));
    const items = choiceItems();
    expect(items.length).toBeGreaterThan(20);
    expect(qs.questions).toHaveLength(items.length);
    expect(qs.skipped).toBe(data.reduce((s, d) => s + d.qa.length, 0) - items.length);
    const llavaIds = new Set(data.flatMap((d) => toLlavaRecords(d).map((r) => r.id)));
    for (const q of qs.questions) expect(llavaIds.has(q.id)).toBe(true);
    expect(qs.questions.map((q) => q.kind)).toEqual(items.map((i) => i.kind));

    const right = Object.fromEntries(qs.questions.map((q) => [q.id, CHOICE_LETTERS[q.correct]]));
    expect(evaluateQa(qs, parseAnswers(one(right))).overall.accuracy).toBe(1);
    const wrong = Object.fromEntries(qs.questions.map((q) => [q.id, CHOICE_LETTERS[(q.correct + 1) % 4]]));
    expect(evaluateQa(qs, parseAnswers(one(wrong))).overall).toMatchObject({ correct: 0, unparsed: 0 });
  });

  it('reads the same questions from the LLaVA records, the question type from the template', () => {
    const fromRaw = parseQuestions(entries(data, 'raw.json')).questions;
    const records = data.flatMap((d) => toLlavaRecords(d));
    const fromLlava = parseQuestions(entries(records, 'llava.json'));
    const strip = (q: { id: string; kind: string; choices: string[]; correct: number }) => ({
      id: q.id,
      kind: q.kind,
      choices: q.choices,
      correct: q.correct,
    });
    expect(fromLlava.questions.map(strip)).toEqual(fromRaw.map(strip));
    expect(fromLlava.skipped).toBe(records.length - fromRaw.length);
  });

  it('recognises every single-choice template (inferQaKind) and covers every kind', () => {
    const items = choiceItems();
    for (const item of items) expect(inferQaKind(item.question)).toBe(item.kind);
    expect(new Set(items.map((i) => i.kind)).size).toBeGreaterThanOrEqual(4);
    expect(inferQaKind('What colour is the cup?')).toBe('unknown');
  });
});
