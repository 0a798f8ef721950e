import { Field, Float, ID, Int } from 'type-graphql';
import { ObjectType } from './objectType';
import { DepthUnit } from './image.type';
import { Node } from './node.type';

@ObjectType({
  description: "An object's depth statistics over its pixels, in `unit` (larger = farther).",
})
export class DepthRange {
  @Field(() => Float, { description: 'Smallest depth (nearest pixel).' })
  min!: number;

  @Field(() => Float, { description: 'Near bound of the depth range (5th percentile).' })
  p5!: number;

  @Field(() => Float, { description: 'Median depth.' })
  p50!: number;

  @Field(() => Float, { description: 'Far bound of the depth range (95th percentile).' })
  p95!: number;

  @Field(() => Float, { description: 'Largest depth (farthest pixel).' })
  max!: number;

  @Field(() => DepthUnit, { description: 'Unit of the values.' })
  unit!: DepthUnit;
}

@ObjectType({ implements: Node, description: 'An object detected or annotated in one image.' })
export class SceneObject {
  @Field(() => ID, { description: '`imageId:key`.' })
  id!: string;

  @Field({ description: "The object's key within its image." })
  key!: string;

  @Field({ description: 'Normalised label (lower case, singular, synonyms merged: "people" -> "person").' })
  label!: string;

  @Field({ description: 'The label as ingested.' })
  rawLabel!: string;

  @Field(() => [Float], { description: '[x1, y1, x2, y2] in image pixels.' })
  box!: number[];

  @Field(() => Float, {
    nullable: true,
    description: 'Detector confidence in [0, 1]; null for annotated objects that came without one.',
  })
  score!: number | null;

  @Field(() => [Float], {
    nullable: true,
    description:
      '3D centroid [x, y, z], camera frame (x right, y down), in the depth unit; null without depth.',
  })
  centroid!: number[] | null;

  @Field(() => [Float], {
    nullable: true,
    description: '3D extent [x, y, z], as `centroid`; null without depth.',
  })
  extent!: number[] | null;

  @Field(() => Int, {
    nullable: true,
    description: 'Index of the nearest depth layer holding the object (0 = nearest); null without depth.',
  })
  layer!: number | null;

  @Field(() => String, {
    nullable: true,
    description:
      "How the depth range was measured from the depth map: 'mask' (the object's mask), 'box-surface' (a " +
      "box-only object's own surface, occluders and background rejected) or 'box-mixed' (a box with no " +
      'dominant surface: a wide range, no depth order claimed). Null when the statistics came with the input.',
  })
  depthMethod!: string | null;
}
