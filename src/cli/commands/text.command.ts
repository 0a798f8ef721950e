import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { UserInputError } from '../../errors/errors';
import { listSceneFiles, readSceneFile } from '../../ingest/sceneFiles';
import { prettyJson } from '../../io/prettyJson';
import { cliFileAccess } from '../../pipeline/cliAccess';
import { runPipeline } from '../../pipeline/pipeline';
import { generateTrainingData, TRAINING_KINDS } from '../../text/trainingData';
import { parseQaFormat, parseSeed, parseTrainingKinds } from '../options';
import { toLlavaRecords, type LlavaRecord } from '../../text/llava';
import { rephrase, type RephraseConfig } from '../../text/rephrase';

interface TextOptions {
  input: string;
  seed: string;
  kinds: string;
  grounded?: boolean;
  maxQa: string;
  qaFormat: string;
  format: string;
  out?: string;
  llmUrl?: string;
  llmModel?: string;
}

/** Rephrases every answer (gpt turn) through the endpoint; questions stay template text. */
async function rephraseRecords(records: LlavaRecord[], config: RephraseConfig): Promise<number> {
  let changed = 0;
  for (const r of records) {
    for (const turn of r.conversations) {
      if (turn.from !== 'gpt') continue;
      const result = await rephrase(turn.value, config);
      if (result.rephrased) {
        turn.value = result.text;
        changed++;
      }
    }
  }
  return changed;
}

export function registerTextCommand(program: Command): void {
  program
    .command('text')
    .description(
      'Generate SpaceSGG training text (layered descriptions, spatial QA, conversations) from scene graphs, as LLaVA conversation JSON',
    )
    .requiredOption(
      '--input <path>',
      'a scene-graph JSON file or a folder of them (built or not: the engine runs when needed)',
    )
    .option('--seed <n>', 'seed: the same graph and seed give the same text', '1')
    .option(
      '--kinds <list>',
      `comma-separated subset of ${TRAINING_KINDS.join(',')}`,
      TRAINING_KINDS.join(','),
    )
    .option(
      '--grounded',
      'mention objects as <ref>label</ref><box>[[x1, y1, x2, y2]]</box> (coordinates 0..999)',
    )
    .option('--max-qa <n>', 'most QA items per image', '12')
    .option(
      '--qa-format <f>',
      'open | choice (single choice with options A-D, what `scenegraph eval-qa` scores) | both',
      'open',
    )
    .option(
      '--format <f>',
      'llava (conversation records) or raw (desc, qa items with answers and evidence, conv)',
      'llava',
    )
    .option(
      '--llm-url <url>',
      'OpenAI-compatible endpoint (e.g. http://127.0.0.1:8000/v1) to rephrase answers; key from SCENEGRAPH_LLM_KEY',
    )
    .option('--llm-model <name>', 'model name for --llm-url')
    .option('--out <file>', 'write here instead of stdout')
    .action(async (opts: TextOptions) => {
      const seed = parseSeed(opts.seed, '--seed');
      const maxQa = Number(opts.maxQa);
      if (!Number.isInteger(maxQa) || maxQa < 0)
        throw new UserInputError('must be an integer >= 0', '--max-qa');
      const kinds = parseTrainingKinds(opts.kinds, '--kinds');
      const qaFormat = parseQaFormat(opts.qaFormat, '--qa-format');
      if (opts.format !== 'llava' && opts.format !== 'raw') {
        throw new UserInputError(`must be llava or raw; got "${opts.format}"`, '--format');
      }
      if (opts.llmUrl && opts.format !== 'llava')
        throw new UserInputError('works with --format llava', '--llm-url');

      const files = await listSceneFiles(opts.input);
      const out: unknown[] = [];
      let rephrased = 0;
      for (const file of files) {
        const input = await readSceneFile(file);
        if (input === undefined) continue;
        const { scene: graph } = await runPipeline(
          { kind: 'scene', input },
          { access: cliFileAccess(path.dirname(file)) },
        );
        const data = generateTrainingData(graph, {
          seed,
          kinds,
          grounded: opts.grounded ?? false,
          maxQa,
          qaFormat,
        });
        if (opts.format === 'raw') {
          out.push(data);
          continue;
        }
        const records = toLlavaRecords(data);
        if (opts.llmUrl) {
          rephrased += await rephraseRecords(records, {
            baseUrl: opts.llmUrl,
            model: opts.llmModel,
            apiKey: process.env.SCENEGRAPH_LLM_KEY,
          });
        }
        out.push(...records);
      }
      const text = prettyJson(out);
      if (opts.out) {
        await fs.writeFile(opts.out, text);
        process.stderr.write(
          `wrote ${out.length} ${opts.format === 'llava' ? 'records' : 'images'} to ${opts.out}` +
            (opts.llmUrl ? ` (${rephrased} answers rephrased)` : '') +
            '\n',
        );
      } else {
        process.stdout.write(text);
      }
    });
}
