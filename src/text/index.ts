/**
 * The SpaceSGG data engine (SPEC sections 5 and 6): grounded text, Desc, QA, Conv, LLaVA export and
 * optional LLM rephrasing, all from a scene graph v1.
 */

export * from './grounded';
export { describeScene, DEFAULT_MAX_RELATIONS_PER_LAYER, type DescribeOptions } from './describe';
export * from './qa';
export * from './conversation';
export { createRng, type Rng, type Seed } from './random';
export * from './trainingData';
export * from './llava';
export * from './rephrase';
export { VIEW_MAPPING, VIEW_POINTS, readFromView, type ViewPoint } from './views';
export { createMentions, MIN_POSITION_GAP, type Mentions } from './mentions';
