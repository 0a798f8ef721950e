import net from 'node:net';
import { ConfigError, type Config } from '../config/config';
import type { Logger } from '../log/logger';

/**
 * Whether the service checks API keys. The default is chosen so that it is never open by accident:
 * bound to loopback (the default HOST), only this machine can connect, and the README demo works
 * without a key; bound to anything else, an unset AUTH_MODE stops start-up, because serving the API
 * to the network without keys must be a decision, not a default.
 */
export function resolveAuthMode(config: Config): 'off' | 'keys' {
  const { mode, anonymous } = config.auth;
  const host = config.http.host;
  const resolved = mode ?? (isLoopbackHost(host) ? 'off' : undefined);
  if (resolved === undefined) {
    throw new ConfigError([
      {
        variable: 'AUTH_MODE',
        message:
          `HOST ${host} is not a loopback address, so the API would be reachable from the network. ` +
          'Set AUTH_MODE=keys (and create keys with `scenegraph keys create --name NAME --role read|write|admin`), ' +
          'or AUTH_MODE=off to serve it without authentication.',
      },
    ]);
  }
  if (resolved === 'off' && anonymous !== 'off') {
    throw new ConfigError([
      {
        variable: 'AUTH_ANONYMOUS',
        message: 'applies only with AUTH_MODE=keys (with auth off, everyone may do anything)',
      },
    ]);
  }
  return resolved;
}

/** 127.0.0.0/8, ::1 (also IPv4-mapped) and `localhost`; `0.0.0.0` and `::` mean every interface. */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice('::ffff:'.length) : h;
  if (net.isIPv4(v4)) return v4.startsWith('127.');
  return net.isIPv6(h) && /^(0{0,4}:){1,7}0{0,3}1$|^::1$/.test(h);
}

/** The start-up line; a warning when the API is open beyond this machine by choice (AUTH_MODE=off). */
export function logAuthMode(logger: Logger, config: Config, mode: 'off' | 'keys'): void {
  const fields = { authMode: mode, anonymous: config.auth.anonymous, host: config.http.host };
  if (mode === 'off' && !isLoopbackHost(config.http.host)) {
    logger.warn(
      fields,
      'authentication is off on a non-loopback HOST: anyone who can reach it may read and write',
    );
  } else {
    logger.info(fields, 'authentication');
  }
}
