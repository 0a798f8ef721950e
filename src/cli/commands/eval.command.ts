import { promises as fs } from 'node:fs';
import { Command } from 'commander';
import { UserInputError } from '../../errors/errors';
import { prettyJson } from '../../io/prettyJson';
import { loadSceneGraphs, readJsonEntries } from '../../eval/loadEvalFiles';
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

export function registerEvalCommands(program: Command): void {
  program
    .command('eval')
    .description(
      "Score predicted scene graphs against ground truth: triplet Recall / mean Recall (asmv2, the paper's Table 1) or R@K / mR@K (openpsg, the PSG benchmark)",
    )
    .requiredOption(
      '--gt <path>',
      'ground truth: a scene-graph JSON file, a JSON array of them, or a folder of *.json',
    )
    .requiredOption(
      '--pred <path>',
      'predictions, in the same forms; matched to the GT by image sha256, else uri',
    )
    .requiredOption('--protocol <name>', `one of ${EVAL_PROTOCOLS.join(', ')}`)
    .option('--json <file>', 'also write the report as JSON here')
    .action(async (opts: EvalOptions) => {
      if (!(EVAL_PROTOCOLS as readonly string[]).includes(opts.protocol)) {
        throw new UserInputError(
          `must be one of ${EVAL_PROTOCOLS.join(', ')}; got "${opts.protocol}"`,
          '--protocol',
        );
      }
      const gt = await loadSceneGraphs(opts.gt, '--gt');
      const pred = await loadSceneGraphs(opts.pred, '--pred');
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
