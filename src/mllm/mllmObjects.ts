/**
 * The pipeline's MLLM step: the backend's grounded reply -> objects and relations (source MODEL),
 * read leniently. A model's reply is not an annotation file: it gets cut at max_tokens, repeats
 * itself, drifts out of the format. What parses is kept and each dropped piece is a warning; only a
 * reply with no object at all fails the image (a UserInputError on `mllm.reply`, so a batch goes on
 * with the other images). Replies the endpoint could not give (unreachable after the retries) stay
 * EnvironmentErrors.
 */

import { UserInputError } from '../errors/errors';
import { ChatReplyError } from '../http/chatClient';
import type { Relation, SceneObject } from '../scenegraph/sceneGraph.types';
import { readGroundedScene } from '../text/groundedScene';
import type { MllmBackend, MllmImage } from './mllmBackend';

export interface MllmObjects {
  objects: SceneObject[];
  relations: Relation[];
  warnings: string[];
}

export async function mllmObjects(backend: MllmBackend, image: MllmImage, uri: string): Promise<MllmObjects> {
  let reply;
  try {
    reply = await backend.ground(image);
  } catch (err) {
    if (err instanceof ChatReplyError) throw new UserInputError(err.message, 'mllm.reply', err.details);
    throw err;
  }
  const { scene, warnings } = readGroundedScene(
    reply.text,
    { uri, width: image.width, height: image.height },
    'MODEL',
    { onMalformed: 'skip' },
  );
  const messages = warnings.map((w) => `MLLM reply: ${w.message.replace(/^groundedText: /, '')}`);
  if (reply.truncated)
    messages.push('MLLM reply: cut at max_tokens (MLLM_MAX_TOKENS); the last element may be missing');
  if (scene.objects.length === 0) {
    throw new UserInputError(
      `the MLLM reply names no object with a box${messages.length ? ` (${messages[0]})` : ''}: ${JSON.stringify(reply.text.slice(0, 200))}`,
      'mllm.reply',
    );
  }
  return { objects: scene.objects, relations: scene.relations ?? [], warnings: messages };
}
