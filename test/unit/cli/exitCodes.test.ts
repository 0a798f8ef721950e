import { EXIT, exitCodeFor, main } from '../../../src/cli/main';
import { ForbiddenError, UnauthenticatedError } from '../../../src/auth/authErrors';
import { ConfigError } from '../../../src/config/config';
import { EnvironmentError, UserInputError } from '../../../src/errors/errors';

describe('CLI exit codes', () => {
  it('maps error classes to exit codes', () => {
    expect(exitCodeFor(new UserInputError('bad', 'x'))).toBe(EXIT.USAGE);
    expect(exitCodeFor(new ConfigError([{ variable: 'PORT', message: 'bad' }]))).toBe(EXIT.ENVIRONMENT);
    expect(exitCodeFor(new EnvironmentError('no java'))).toBe(EXIT.ENVIRONMENT);
    expect(exitCodeFor(new UnauthenticatedError('no key'))).toBe(EXIT.ENVIRONMENT);
    expect(exitCodeFor(new ForbiddenError('read only'))).toBe(EXIT.ENVIRONMENT);
    expect(exitCodeFor(new Error('boom'))).toBe(EXIT.FAILURE);
  });

  it('returns a usage error for an unknown command', async () => {
    const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await main(['node', 'scenegraph', 'frobnicate'])).toBe(EXIT.USAGE);
      expect(write.mock.calls.map((c) => String(c[0])).join('')).toMatch(/unknown command 'frobnicate'/);
    } finally {
      write.mockRestore();
    }
  });

  it('stops on invalid configuration, naming the variable', async () => {
    const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const saved = process.env.PORT;
    process.env.PORT = 'not-a-port';
    try {
      expect(await main(['node', 'scenegraph', 'serve'])).toBe(EXIT.ENVIRONMENT);
      expect(write.mock.calls.map((c) => String(c[0])).join('')).toMatch(/PORT:/);
    } finally {
      if (saved === undefined) delete process.env.PORT;
      else process.env.PORT = saved;
      write.mockRestore();
    }
  });
});
