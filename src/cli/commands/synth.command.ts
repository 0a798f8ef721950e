import path from 'node:path';
import { Command } from 'commander';
import { UserInputError } from '../../errors/errors';
import { generateScene } from '../../synth/generateScene';
import { writeSceneFolder } from '../../synth/sceneFolder';

function intOption(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new UserInputError(`must be an integer; got "${value}"`, name);
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
    .option('--objects <k>', 'objects per scene (2 to 100)', '10')
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
        const seed = intOption(opts.seed, '--seed');
        const objects = intOption(opts.objects, '--objects');
        const count = intOption(opts.count, '--count');
        if (count < 1 || count > 100000) throw new UserInputError('must be from 1 to 100000', '--count');
        const width = intOption(opts.width, '--width');
        const height = intOption(opts.height, '--height');
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
