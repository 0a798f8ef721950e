import { UserInputError } from '../errors/errors';

/**
 * Roles in increasing order of power: each includes the ones before it. Queries need `read`,
 * mutations `write`, key management `admin`.
 */
export const ROLES = ['read', 'write', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function parseRole(value: string, field: string): Role {
  if (!isRole(value)) throw new UserInputError(`must be one of ${ROLES.join(', ')}; got "${value}"`, field);
  return value;
}

/** True when `held` is at least `required`. */
export function hasRole(held: Role, required: Role): boolean {
  return ROLES.indexOf(held) >= ROLES.indexOf(required);
}
