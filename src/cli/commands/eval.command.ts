import { promises as fs } from 'node:fs';
import { Command } from 'commander';
import { UserInputError } from '../../errors/errors';
import { prettyJson } from '../../io/prettyJson';
import { loadConfig } from '../../config/config';
import { connect } from '../../db/connect';
import { EVAL_LIMITS } from '../../eval/evalLimits';
import { loadSceneGraphs, readJsonEntries, type LoadedGraphs } from '../../eval/loadEvalFiles';
import { createLogger } from '../../log/logger';
import type { RelationSource } from '../../scenegraph/sceneGraph.types';
import { loadReviewedSet, PREDICTION_SOURCES } from '../../store/review.store';
import { parseAnswers, parseQuestions } from '../../eval/qaInput';
import { evaluateQa } from '../../eval/qaEval';
import { renderQaReport } from '../../eval/renderQaReport';
import { renderSceneGraphReport } from '../../eval/renderSceneGraphReport';
import { evaluateSceneGraphs } from '../../eval/sceneGraphEval';
import { EVAL_PROTOCOLS, type EvalProtocol } from '../../eval/sceneGraphReport.types';

interface EvalOptions {
  gt: string;
  pred: string;
  protocol: string;
  json?: string;
  uriPrefix?: string;
}

interface EvalQaOptions {
  questions: string;
  answers: string;
  json?: string;
}

async function writeJson(file: string, value: unknown): Promise<void> {
  try {
    await fs.writeFile(file, prettyJson(value));
  } catch (err) {
    throw new UserInputError(`cannot write ${file} (${(err as Error).message})`, '--json');
  }
  process.stderr.write(`wrote the report to ${file}\n`);
}

/** `--gt store:reviewed`: the confirmed reviewed relations of the store (src/store/review.store.ts). */
const STORE_GT = 'store:reviewed';
const SOURCES: readonly RelationSource[] = ['GEOMETRY', 'MODEL', 'ANNOTATION', 'HUMAN'];

/** `store` or `store:GEOMETRY,MODEL`: which of the store's relations are the predictions. */
export function parseStorePred(text: string): RelationSource[] | undefined {
  if (text === 'store') return [...PREDICTION_SOURCES];
  if (!text.startsWith('store:')) return undefined;
  const list = text
    .slice('store:'.length)
    .split(',')
    .map((s) => s.trim().toUpperCase());
  const bad = list.find((s) => !(SOURCES as readonly string[]).includes(s));
  if (bad !== undefined) {
    throw new UserInputError(
      `store:SOURCES takes a comma-separated subset of ${SOURCES.join(',')}; got "${text}"`,
      '--pred',
    );
  }
  return list as RelationSource[];
}

async function loadSides(opts: EvalOptions): Promise<{ gt: LoadedGraphs; pred: LoadedGraphs }> {
  const storeSources = parseStorePred(opts.pred);
  if (opts.gt !== STORE_GT) {
    if (opts.gt.startsWith('store:')) {
      throw new UserInputError(`the store's ground truth is ${STORE_GT}; got "${opts.gt}"`, '--gt');
    }
    if (storeSources) throw new UserInputError(`the store as predictions needs --gt ${STORE_GT}`, '--pred');
    if (opts.uriPrefix !== undefined) throw new UserInputError(`works with --gt ${STORE_GT}`, '--uri-prefix');
    return { gt: await loadSceneGraphs(opts.gt, '--gt'), pred: await loadSceneGraphs(opts.pred, '--pred') };
  }
  const config = loadConfig();
  const conn = await connect(config, createLogger(config.logLevel));
  try {
    const set = await loadReviewedSet(
      conn.db,
      storeSources ?? [],
      EVAL_LIMITS.maxImages,
      '--gt',
      opts.uriPrefix,
    );
    if (set.gt.length === 0) throw new UserInputError('the store has no reviewed relations', '--gt');
    if (set.dropped > 0) {
      process.stderr.write(
        `--gt: left out ${set.dropped} confirmed relations whose objects are no longer stored\n`,
      );
    }
    const gt: LoadedGraphs = { graphs: set.gt, sources: set.sources, skippedFiles: [] };
    const pred: LoadedGraphs = storeSources
      ? { graphs: set.pred, sources: set.sources, skippedFiles: [] }
      : await loadSceneGraphs(opts.pred, '--pred');
    return { gt, pred };
  } finally {
    await conn.db.close();
  }
}

export function registerEvalCommands(program: Command): void {
  program
    .command('eval')
    .description(
      "Score predicted scene graphs against ground truth: triplet Recall / mean Recall (asmv2, the paper's Table 1) or R@K / mR@K (openpsg, the PSG benchmark)",
    )
    .requiredOption(
      '--gt <path>',
      `ground truth: a scene-graph JSON file, a JSON array of them, or a folder of *.json; ${STORE_GT}: the relations people confirmed in the store`,
    )
    .requiredOption(
      '--pred <path>',
      `predictions, in the same forms; matched to the GT by image sha256, else uri; with --gt ${STORE_GT}: store (the store's GEOMETRY and MODEL relations of the reviewed images) or store:SOURCE,...`,
    )
    .requiredOption('--protocol <name>', `one of ${EVAL_PROTOCOLS.join(', ')}`)
    .option('--json <file>', 'also write the report as JSON here')
    .option('--uri-prefix <U>', `with --gt ${STORE_GT}: only images whose stored URI starts with U`)
    .action(async (opts: EvalOptions) => {
      if (!(EVAL_PROTOCOLS as readonly string[]).includes(opts.protocol)) {
        throw new UserInputError(
          `must be one of ${EVAL_PROTOCOLS.join(', ')}; got "${opts.protocol}"`,
          '--protocol',
        );
      }
      const { gt, pred } = await loadSides(opts);
      const report = evaluateSceneGraphs(gt.graphs, pred.graphs, {
        protocol: opts.protocol as EvalProtocol,
        gtSources: gt.sources,
        predSources: pred.sources,
      });
      for (const [option, loaded] of [
        ['--gt', gt],
        ['--pred', pred],
      ] as const) {
        if (loaded.skippedFiles.length > 0) {
          process.stderr.write(
            `${option}: skipped ${loaded.skippedFiles.length} JSON files that are not scene graphs\n`,
          );
        }
      }
      process.stdout.write(renderSceneGraphReport(report));
      if (opts.json) await writeJson(opts.json, report);
    });

  program
    .command('eval-qa')
    .description('Spatial QA accuracy of single-choice answers, overall and per question type')
    .requiredOption(
      '--questions <file>',
      'questions: `scenegraph text` output (raw or llava) with single-choice items, or items {id, choices, correct, kind}',
    )
    .requiredOption(
      '--answers <file>',
      'answers: {"<id>": "B", ...}, or records {question_id, answer|text} as JSON or JSON Lines',
    )
    .option('--json <file>', 'also write the report as JSON here')
    .action(async (opts: EvalQaOptions) => {
      const questions = parseQuestions(await readJsonEntries(opts.questions, '--questions'));
      if (questions.questions.length === 0) {
        throw new UserInputError(
          `${opts.questions} has no single-choice questions (${questions.skipped} other items); generate QA with the choice format`,
          '--questions',
        );
      }
      const answers = parseAnswers(await readJsonEntries(opts.answers, '--answers'));
      const report = evaluateQa(questions, answers);
      process.stdout.write(renderQaReport(report));
      if (opts.json) await writeJson(opts.json, report);
    });
}
