/**
 * Export to LLaVA's conversation JSON (the format LLaVA, ASMv2 and LLaVA-SpaceSGG train on):
 * `{ id, image, conversations: [{ from: 'human' | 'gpt', value }] }`, one record per description,
 * per QA item and per conversation. The first human turn starts with "<image>\n" and no other turn
 * contains the token (LLaVA splices the image features in at exactly that place).
 */

import type { SceneGraph } from '../scenegraph/sceneGraph.types';
import { generateTrainingData, type TrainingData, type TrainingDataOptions } from './trainingData';

export const IMAGE_TOKEN = '<image>';

export interface LlavaTurn {
  from: 'human' | 'gpt';
  value: string;
}

export interface LlavaRecord {
  id: string;
  image: string;
  conversations: LlavaTurn[];
}

export interface LlavaOptions {
  /** The `image` field (default: the graph's image uri). */
  image?: string;
  /** Prefix of record ids (default: the first 16 hex digits of sha256, else the image file name). */
  idPrefix?: string;
}

const DESC_PROMPT = 'Describe the scene layer by layer, from the nearest objects to the farthest.';
const DESC_PROMPT_GROUNDED = `${DESC_PROMPT} Ground every object and relation with its bounding boxes.`;

function defaultPrefix(data: TrainingData): string {
  if (data.image.sha256) return data.image.sha256.slice(0, 16);
  const name = data.image.uri.split(/[/\\]/).pop() ?? data.image.uri;
  return name.replace(/\.[A-Za-z0-9]+$/, '') || 'image';
}

/** Puts the image token at the start of the first human turn and removes it from every other turn. */
function withImageToken(turns: LlavaTurn[]): LlavaTurn[] {
  let placed = false;
  return turns.map((t) => {
    const value = t.value.split(IMAGE_TOKEN).join('').replace(/^\n+/, '');
    if (!placed && t.from === 'human') {
      placed = true;
      return { from: t.from, value: `${IMAGE_TOKEN}\n${value}` };
    }
    return { from: t.from, value };
  });
}

export function toLlavaRecords(data: TrainingData, options: LlavaOptions = {}): LlavaRecord[] {
  const prefix = options.idPrefix ?? defaultPrefix(data);
  const image = options.image ?? data.image.uri;
  const record = (id: string, turns: LlavaTurn[]): LlavaRecord => ({
    id: `${prefix}-${id}`,
    image,
    conversations: withImageToken(turns),
  });
  const records: LlavaRecord[] = [];
  if (data.desc !== undefined) {
    records.push(
      record('desc', [
        { from: 'human', value: data.grounded ? DESC_PROMPT_GROUNDED : DESC_PROMPT },
        { from: 'gpt', value: data.desc },
      ]),
    );
  }
  for (const item of data.qa) {
    records.push(
      record(item.id, [
        { from: 'human', value: item.question },
        { from: 'gpt', value: item.answer },
      ]),
    );
  }
  if (data.conv) records.push(record(data.conv.id, data.conv.turns));
  return records;
}

/** generateTrainingData + toLlavaRecords. */
export function exportLlava(graph: SceneGraph, options: TrainingDataOptions & LlavaOptions): LlavaRecord[] {
  return toLlavaRecords(generateTrainingData(graph, options), options);
}
