/**
 * Grounded text (SPEC section 6, ASMv2 / LLaVA-SpaceSGG tags) -> one scene graph per record, through
 * the project's one parser (src/text/grounded.ts: the padded-square 0..999 coordinates, broadcast of
 * one-box sides, `unknown` for boxes no `<ref>` names).
 *
 * A file holds records (a JSON array, one object, or JSON Lines):
 *   { "image": "photo.jpg", "width": 640, "height": 480, "text": "<ref>dog</ref><box>[[...]]</box> ..." }
 * `image` may instead be { uri, width, height }; `text` may instead be LLaVA `conversations`
 * ([{from, value}]), whose turns are read as one text (a box is one object wherever it appears).
 * The image size is required: grounded coordinates are relative to it. Predicates are normalised
 * (normalizePredicate); a box that converts to no area in the image (it lies in the padding) is dropped
 * with its relations, with a warning.
 */

import { UserInputError } from '../errors/errors';
import type { RelationSource, SceneGraph } from '../scenegraph/sceneGraph.types';
import { readGroundedScene, type GroundedScene } from '../text/groundedScene';
import { FormatError, JsonReader } from './formatError';
import { ImportCollector } from './importScene';
import type { Importer, ImportOptions } from './importTypes';
import { IMPORT_LIMITS } from './limits';

function recordText(
  r: JsonReader,
  rec: Record<string, unknown>,
  at: string,
): { text: string; field: string } {
  if (rec.text !== undefined) return { text: r.string(rec.text, `${at}.text`), field: `${at}.text` };
  if (rec.conversations === undefined)
    r.fail('needs "text" (grounded text) or "conversations" ([{from, value}])', at);
  const turns = r.array(rec.conversations, `${at}.conversations`);
  const text = turns
    .map((t, k) =>
      r.string(r.record(t, `${at}.conversations[${k}]`).value, `${at}.conversations[${k}].value`),
    )
    .join('\n');
  return { text, field: `${at}.conversations` };
}

export const importGrounded: Importer = (data: unknown, options: ImportOptions) => {
  const r: JsonReader = new JsonReader(options.file);
  const collector = new ImportCollector('grounded', options.file);
  const source: RelationSource = options.relationSource ?? 'ANNOTATION';
  const single = !Array.isArray(data);
  const records = single ? [data] : r.array(data, '$', IMPORT_LIMITS.maxImages);
  records.forEach((raw, i) => {
    const at = single ? '$' : `[${i}]`;
    const rec0 = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
    const img0 = rec0.image;
    const hint =
      typeof img0 === 'string'
        ? img0
        : img0 && typeof img0 === 'object' && typeof (img0 as { uri?: unknown }).uri === 'string'
          ? (img0 as { uri: string }).uri
          : typeof rec0.id === 'string' || typeof rec0.id === 'number'
            ? String(rec0.id)
            : undefined;
    collector.item(at, hint, (): SceneGraph => {
      const rec = r.record(raw, at);
      let name: string;
      let width: unknown = rec.width;
      let height: unknown = rec.height;
      let sizeAt = at;
      if (typeof rec.image === 'object' && rec.image !== null) {
        const image = r.record(rec.image, `${at}.image`);
        name = r.name(image.uri, `${at}.image.uri`, 4096);
        width = image.width;
        height = image.height;
        sizeAt = `${at}.image`;
      } else {
        name = r.name(rec.image, `${at}.image`, 4096);
      }
      if (width === undefined || height === undefined) {
        r.fail(
          'needs the image size (width and height): grounded coordinates are relative to it; LLaVA records carry none, so add them to each record',
          sizeAt,
        );
      }
      const w = r.integer(width, `${sizeAt}.width`, 1);
      const h = r.integer(height, `${sizeAt}.height`, 1);
      const { text, field } = recordText(r, rec, at);
      let read: GroundedScene;
      try {
        read = readGroundedScene(
          text,
          { uri: options.imageUri ? options.imageUri(name) : name, width: w, height: h },
          source,
        );
      } catch (err) {
        if (!(err instanceof UserInputError) || err instanceof FormatError) throw err;
        // The parser names its own field (`groundedText`) and the character offset; say where the text is.
        throw new FormatError(err.message.replace(/^groundedText: /, ''), options.file, field, err.details);
      }
      for (const w of read.warnings) collector.warnings.add(w.message, field);
      const scene = read.scene;
      return {
        ...scene,
        provenance: { importedFrom: 'grounded', ...scene.provenance },
      };
    });
  });
  return collector.result();
};
