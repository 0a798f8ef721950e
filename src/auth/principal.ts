import type { Role } from './roles';

/**
 * Who sent a request, as the GraphQL layer sees it. `open`: AUTH_MODE=off, everything is allowed;
 * `anonymous`: no key, admitted read-only because AUTH_ANONYMOUS=read; `key`: an API key.
 */
export type Principal =
  | { kind: 'open'; role: 'admin' }
  | { kind: 'anonymous'; role: 'read' }
  | { kind: 'key'; role: Role; keyId: string; name: string };

export const OPEN_PRINCIPAL: Principal = { kind: 'open', role: 'admin' };
