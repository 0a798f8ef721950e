import path from 'node:path';
import { Command } from 'commander';
import { UserInputError } from '../../errors/errors';
import { generateScene, SYNTH_LIMITS } from '../../synth/generateScene';
import { writeSceneFolder } from '../../synth/sceneFolder';

function intOption(value: string, name: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UserInputError(`must be an integer from ${min} to ${max}; got "${value}"`, name);
  }
  return n;
}

export function registerSynthCommand(program: Command): void {
  program
    .command('synth')
    .description(
      'Render seeded synthetic scenes with ground truth: DIR/image.png, depth.npy (float32 metres), scene.json, truth.json',
    )
    .requiredOption('--out <dir>', 'output folder (with --count, one sub-folder per scene)')
    .option('--seed <n>', 'random seed (same seed, same bytes)', '1')
    .option(
      '--objects <k>',
      `objects per scene (${SYNTH_LIMITS.minObjects} to ${SYNTH_LIMITS.maxObjects})`,
      '10',
    )
    .option('--count <n>', 'number of scenes, seeds seed..seed+n-1, written to DIR/scene-<seed>/', '1')
    .option('--width <px>', 'image width', '640')
    .option('--height <px>', 'image height', '480')
    .action(
      async (opts: {
        out: string;
        seed: string;
        objects: string;
        count: string;
        width: string;
        height: string;
      }) => {
        const seed = intOption(opts.seed, '--seed', 0, Number.MAX_SAFE_INTEGER - 100000);
        const objects = intOption(
          opts.objects,
          '--objects',
          SYNTH_LIMITS.minObjects,
          SYNTH_LIMITS.maxObjects,
        );
        const count = intOption(opts.count, '--count', 1, 100000);
        const width = intOption(opts.width, '--width', SYNTH_LIMITS.minSide, SYNTH_LIMITS.maxSide);
        const height = intOption(opts.height, '--height', SYNTH_LIMITS.minSide, SYNTH_LIMITS.maxSide);
        const started = Date.now();
        for (let i = 0; i < count; i++) {
          const s = seed + i;
          const dir = count === 1 ? opts.out : path.join(opts.out, `scene-${String(s).padStart(6, '0')}`);
          await writeSceneFolder(await generateScene({ seed: s, objects, width, height }), dir);
          if (count > 1 && ((i + 1) % 50 === 0 || i + 1 === count)) {
            process.stderr.write(`synth: ${i + 1}/${count} scenes\n`);
          }
        }
        const secs = (Date.now() - started) / 1000;
        process.stdout.write(
          `wrote ${count} scene${count === 1 ? '' : 's'} to ${opts.out} in ${secs.toFixed(1)} s\n`,
        );
      },
    );
}
