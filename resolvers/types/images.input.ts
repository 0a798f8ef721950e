import { Field, InputType } from 'type-graphql';

@InputType({ description: 'Filters for `images`.' })
export class ImagesWhere {
  @Field(() => String, {
    nullable: true,
    description: 'Only images with an object of this label (normalised).',
  })
  label?: string;
}
