import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import { UserInputError } from '../src/errors/errors';
import {
  addHumanRelation,
  checkReviewerName,
  reviewRelation,
  type Reviewer,
  type ReviewVerdict as StoreVerdict,
} from '../src/store/review.store';
import type { ReviewRow } from '../src/store/rows';
import type { RequestContext } from './runtime/context';
import { toRelation, type RelationRoot } from './mappers';
import { Relation } from './types/relation.type';
import { AddRelationInput, RelationReview, ReviewVerdict } from './types/review.type';

const REVIEWER_DESCRIPTION =
  'Who reviews, when the service runs without keys (AUTH_MODE=off): required then. With API keys the ' +
  "reviewer is the request's key (its name and id), and giving this is refused.";

/** Who is reviewing: the request's API key, or the name given when keys are off. */
export function reviewerOf(ctx: RequestContext, given: string | undefined | null): Reviewer {
  const auth = ctx.auth;
  if (auth.kind === 'key') {
    if (given !== undefined && given !== null) {
      throw new UserInputError('is taken from the API key when keys are on; leave it out', 'reviewer');
    }
    return { name: auth.name, keyId: auth.keyId };
  }
  if (given === undefined || given === null) {
    throw new UserInputError(
      'is required when the service runs without API keys (AUTH_MODE=off)',
      'reviewer',
    );
  }
  return { name: checkReviewerName(given, 'reviewer'), keyId: null };
}

export function toReview(row: ReviewRow): RelationReview {
  return Object.assign(new RelationReview(), {
    verdict: row.verdict as ReviewVerdict,
    reviewer: row.reviewer,
    reviewerKeyId: row.reviewerKeyId ?? null,
    at: row.at,
  });
}

@Resolver(() => Relation)
export class ReviewResolver {
  private async decide(
    ctx: RequestContext,
    id: string,
    verdict: StoreVerdict,
    reviewer: string | undefined,
  ): Promise<RelationRoot> {
    const who = reviewerOf(ctx, reviewer);
    const { relation } = await reviewRelation(ctx.db, id, verdict, who);
    ctx.loaders.review.clear(id).prime(id, relation.review ?? null);
    return toRelation(relation);
  }

  @Authorized('write')
  @Mutation(() => Relation, {
    description:
      'Confirms a relation the store has now (derived, from a model or annotation, or added by a person), by its id. ' +
      'The verdict, who gave it and when are recorded under the id, so a confirmed geometric relation stays ' +
      'confirmed every time it is derived again, and reviewed relations become ground truth ' +
      '(`scenegraph export --reviewed`, `scenegraph eval --gt store:reviewed`). The latest verdict wins.',
  })
  confirmRelation(
    @Ctx() ctx: RequestContext,
    @Arg('id', () => ID, { description: 'The relation id, as `Relation.id` gives it.' }) id: string,
    @Arg('reviewer', () => String, { nullable: true, description: REVIEWER_DESCRIPTION }) reviewer?: string,
  ): Promise<RelationRoot> {
    return this.decide(ctx, id, 'CONFIRMED', reviewer);
  }

  @Authorized('write')
  @Mutation(() => Relation, {
    description:
      'Rejects a relation the store has now, by its id: it stays readable with `review.verdict: REJECTED` ' +
      '(`relations(where: {review: REJECTED})` lists them) and is left out of the reviewed ground truth.',
  })
  rejectRelation(
    @Ctx() ctx: RequestContext,
    @Arg('id', () => ID, { description: 'The relation id, as `Relation.id` gives it.' }) id: string,
    @Arg('reviewer', () => String, { nullable: true, description: REVIEWER_DESCRIPTION }) reviewer?: string,
  ): Promise<RelationRoot> {
    return this.decide(ctx, id, 'REJECTED', reviewer);
  }

  @Authorized('write')
  @Mutation(() => Relation, {
    description:
      'Adds a relation between two objects of one image, with source HUMAN and a CONFIRMED review naming who ' +
      'added it and when. Adding the same relation again refreshes the review. A later ingest that replaces ' +
      "the image's graph keeps it between the objects that remain; deleteImage removes it.",
  })
  async addRelation(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => AddRelationInput, { description: 'The relation.' }) input: AddRelationInput,
    @Arg('reviewer', () => String, { nullable: true, description: REVIEWER_DESCRIPTION }) reviewer?: string,
  ): Promise<RelationRoot> {
    const who = reviewerOf(ctx, reviewer);
    const { relation } = await addHumanRelation(ctx.db, input, who);
    ctx.loaders.review.clear(relation.id).prime(relation.id, relation.review ?? null);
    ctx.loaders.relationsOfImage.clear(relation.imageId);
    return toRelation(relation);
  }

  @FieldResolver(() => RelationReview, {
    nullable: true,
    description: 'The latest human review of the relation; null when nobody reviewed it.',
  })
  async review(@Root() relation: RelationRoot, @Ctx() ctx: RequestContext): Promise<RelationReview | null> {
    const row =
      relation.reviewRow !== undefined ? relation.reviewRow : await ctx.loaders.review.load(relation.id);
    return row ? toReview(row) : null;
  }
}
