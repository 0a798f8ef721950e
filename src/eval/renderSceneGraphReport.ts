/** The text form of a scene-graph evaluation report (what `scenegraph eval` prints). Percentages. */

import type { Asmv2Report, ImageCounts, OpenPsgReport, SceneGraphEvalReport } from './sceneGraphReport.types';
import { percent, textTable } from './textTable';

function imageLine(i: ImageCounts): string {
  return (
    `images: ${i.gt} in the GT (${i.gtWithTriplets} with relations), ${i.predictions} predicted, ` +
    `${i.matched} matched; ${i.gtWithoutPrediction} GT images with relations have no prediction (recall 0); ` +
    `${i.predictionsNotInGt} predictions not in the GT (ignored)`
  );
}

function renderAsmv2(r: Asmv2Report): string[] {
  return [
    `triplets: ${r.triplets.gt} in the GT, ${r.triplets.predicted} predicted`,
    '',
    textTable(
      ['predicate', 'GT', 'matched', 'recall %'],
      r.predicates.map((p) => [p.predicate, String(p.gt), String(p.matched), percent(p.recall)]),
    ),
    '',
    `Recall ${percent(r.recall)}   mean Recall ${percent(r.meanRecall)} (over ${r.predicates.length} predicates in the GT)`,
  ];
}

function renderOpenPsg(r: OpenPsgReport): string[] {
  const shown = r.predicates.filter((p) => p.gt > 0);
  const hidden = r.predicates.length - shown.length;
  return [
    `triplets: ${r.triplets.gt} in the GT, ${r.triplets.predicted} predicted, ${r.triplets.afterGraphConstraint} after the graph constraint`,
    `object pairs compared: ${r.comparisons.mask} by mask IoU, ${r.comparisons.box} by box IoU`,
    '',
    textTable(
      ['predicate', 'PSG', 'GT', 'images', ...r.k.map((k) => `R@${k} %`)],
      shown.map((p) => [
        p.predicate,
        p.psg ? 'yes' : 'no',
        String(p.gt),
        String(p.images),
        ...r.k.map((k) => percent(p.recall[k])),
      ]),
    ),
    ...(hidden > 0 ? [`(${hidden} PSG predicates without GT not shown; each counts 0 in mR@K)`] : []),
    '',
    textTable(
      ['', ...r.k.map((k) => `@${k}`)],
      [
        ['R', ...r.k.map((k) => percent(r.recall[k]))],
        ['mR (56 PSG predicates)', ...r.k.map((k) => percent(r.meanRecall[k]))],
        [`mR (${r.predicatesWithGt} predicates with GT)`, ...r.k.map((k) => percent(r.meanRecallWithGt[k]))],
      ],
    ),
  ];
}

export function renderSceneGraphReport(r: SceneGraphEvalReport): string {
  const body = r.protocol === 'asmv2' ? renderAsmv2(r) : renderOpenPsg(r);
  const predictedOnly =
    r.predictedNotInGt.length > 0
      ? [
          '',
          `predicted predicates not in the GT: ${r.predictedNotInGt.map((p) => `${p.predicate} (${p.predicted})`).join(', ')}`,
        ]
      : [];
  return [
    `Scene-graph evaluation, protocol ${r.protocol}`,
    r.definition,
    imageLine(r.images),
    ...body,
    ...predictedOnly,
    '',
    ...r.notes.map((n) => `note: ${n}`),
    '',
  ].join('\n');
}
