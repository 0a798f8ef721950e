import type { AuthChecker } from 'type-graphql';
import { ForbiddenError } from '../../src/auth/authErrors';
import { hasRole, isRole } from '../../src/auth/roles';
import type { RequestContext } from './context';

/**
 * type-graphql's check for `@Authorized(role)` fields: the request's role must be at least the one
 * named. It throws instead of returning false so the client gets FORBIDDEN with HTTP 403 (the error
 * carries the status) rather than type-graphql's generic "Access denied". It runs before the
 * resolver, so a refused mutation writes nothing. Authentication happened earlier, in the HTTP front.
 */
export const authChecker: AuthChecker<RequestContext> = ({ context, info }, roles) => {
  const held = context.auth.role;
  for (const required of roles) {
    if (!isRole(required))
      throw new Error(`@Authorized names unknown role "${required}" on ${info.fieldName}`);
    if (!hasRole(held, required)) {
      throw new ForbiddenError(`${info.fieldName} needs the ${required} role; this request has ${held}`);
    }
  }
  return true;
};
