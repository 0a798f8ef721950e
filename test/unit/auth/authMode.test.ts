import { isLoopbackHost, resolveAuthMode } from '../../../src/auth/authMode';
import { loadConfig } from '../../../src/config/config';

describe('resolveAuthMode', () => {
  const mode = (env: Record<string, string>) => resolveAuthMode(loadConfig(env, '/tmp'));

  it('is off by default on the default loopback HOST', () => {
    expect(mode({})).toBe('off');
    expect(mode({ HOST: '::1' })).toBe('off');
  });

  it('refuses a non-loopback HOST without AUTH_MODE, saying what to set', () => {
    for (const HOST of ['0.0.0.0', '::', '192.168.1.5', 'example.org']) {
      expect(() => mode({ HOST })).toThrow(
        /AUTH_MODE: HOST .* is not a loopback address.*AUTH_MODE=keys.*AUTH_MODE=off/s,
      );
    }
  });

  it('takes an explicit AUTH_MODE on any HOST', () => {
    expect(mode({ HOST: '0.0.0.0', AUTH_MODE: 'keys' })).toBe('keys');
    expect(mode({ HOST: '0.0.0.0', AUTH_MODE: 'off' })).toBe('off');
    expect(mode({ AUTH_MODE: 'keys' })).toBe('keys');
  });

  it('refuses AUTH_ANONYMOUS=read without keys mode', () => {
    expect(() => mode({ AUTH_ANONYMOUS: 'read' })).toThrow(
      /AUTH_ANONYMOUS: applies only with AUTH_MODE=keys/,
    );
    expect(mode({ AUTH_MODE: 'keys', AUTH_ANONYMOUS: 'read' })).toBe('keys');
  });

  it('rejects unknown values in the config', () => {
    expect(() => loadConfig({ AUTH_MODE: 'on' })).toThrow(/AUTH_MODE/);
    expect(() => loadConfig({ AUTH_ANONYMOUS: 'write' })).toThrow(/AUTH_ANONYMOUS/);
    expect(() => loadConfig({ AUTH_RATE_LIMIT: '0' })).toThrow(/AUTH_RATE_LIMIT/);
    expect(() => loadConfig({ AUTH_KEY_CACHE_MS: '600000' })).toThrow(/AUTH_KEY_CACHE_MS/);
  });
});

describe('isLoopbackHost', () => {
  it.each([
    '127.0.0.1',
    '127.1.2.3',
    'localhost',
    'LOCALHOST',
    '::1',
    '[::1]',
    '0:0:0:0:0:0:0:1',
    '::ffff:127.0.0.1',
  ])('%s is loopback', (h) => expect(isLoopbackHost(h)).toBe(true));
  it.each([
    '0.0.0.0',
    '::',
    '10.0.0.1',
    '128.0.0.1',
    'example.org',
    '::2',
    '::ffff:10.0.0.1',
    'localhost.evil.org',
  ])('%s is not', (h) => expect(isLoopbackHost(h)).toBe(false));
});
