import { registerEnumType } from 'type-graphql';

export enum RelationDirection {
  OUT = 'OUT',
  IN = 'IN',
  BOTH = 'BOTH',
}
registerEnumType(RelationDirection, {
  name: 'RelationDirection',
  description: 'OUT: the object is the subject; IN: the object is the object; BOTH: either.',
});
