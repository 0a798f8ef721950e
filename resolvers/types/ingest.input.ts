import { Field, Float, InputType } from 'type-graphql';
import { DepthInputUnit } from './scene.input';

@InputType({ description: 'A depth map file for an image (instead of the depth model).' })
export class DepthFileInput {
  @Field({ description: 'Path of a .npy or 16-bit .png depth map under INGEST_ROOTS.' })
  path!: string;

  @Field(() => DepthInputUnit, {
    description:
      'METERS, RELATIVE (larger = farther) or INVERSE (larger = nearer, Depth Anything); the lower-case ' +
      'spellings of the CLI and the JSON form (meters, relative, inverse) are accepted too.',
  })
  unit!: DepthInputUnit;

  @Field(() => Float, {
    nullable: true,
    description: 'Multiplier for raw values (e.g. 0.001 for millimetre PNGs).',
  })
  scale?: number;
}

@InputType({
  description:
    'An image to ingest, given in exactly one way: `data` (the file, base64), `path` (under INGEST_ROOTS) or `url` ' +
    '(a public http(s) address; private-network addresses are refused, redirects re-checked).',
})
export class IngestImageInput {
  @Field(() => String, {
    nullable: true,
    description: 'The image file, base64-encoded (JPEG, PNG, WebP, TIFF, GIF, AVIF).',
  })
  data?: string;

  @Field(() => String, { nullable: true, description: 'A local path inside INGEST_ROOTS.' })
  path?: string;

  @Field(() => String, {
    nullable: true,
    description: 'A public http(s) URL, fetched within IMAGE_FETCH_TIMEOUT_MS.',
  })
  url?: string;

  @Field(() => String, {
    nullable: true,
    description: "Stored as the image's uri. Default: the path, the URL, or upload:<sha256> for data.",
  })
  uri?: string;

  @Field(() => [String], {
    nullable: true,
    description:
      'Text queries for an open-vocabulary detector (labels come from them); ignored by closed-set detectors.',
  })
  queries?: string[];

  @Field(() => DepthFileInput, {
    nullable: true,
    description: 'A depth map for this image instead of the depth model.',
  })
  depth?: DepthFileInput;
}
