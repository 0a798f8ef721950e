import { parseKeyId, parseNewApiKey } from '../../../src/auth/apiKey.input';
import { hasRole, parseRole, ROLES } from '../../../src/auth/roles';
import { tokenFrom } from '../../../src/auth/authenticator';
import { UnauthenticatedError } from '../../../src/auth/authErrors';

describe('roles', () => {
  it('orders read < write < admin', () => {
    expect(ROLES).toEqual(['read', 'write', 'admin']);
    const table = ROLES.map((held) => ROLES.map((required) => hasRole(held, required)));
    expect(table).toEqual([
      [true, false, false],
      [true, true, false],
      [true, true, true],
    ]);
  });

  it('names the field on an unknown role', () => {
    expect(parseRole('write', '--role')).toBe('write');
    expect(() => parseRole('root', '--role')).toThrow(
      /--role: must be one of read, write, admin; got "root"/,
    );
  });
});

describe('key options', () => {
  it('accepts a name, role and optional rate', () => {
    expect(parseNewApiKey({ name: ' ci ', role: 'read' })).toEqual({
      name: 'ci',
      role: 'read',
      ratePerMinute: undefined,
    });
    expect(parseNewApiKey({ name: 'ci', role: 'admin', rate: '120' }).ratePerMinute).toBe(120);
  });

  it('names the bad option', () => {
    expect(() => parseNewApiKey({ name: '', role: 'read' })).toThrow(/--name/);
    expect(() => parseNewApiKey({ name: 'x'.repeat(101), role: 'read' })).toThrow(/--name/);
    expect(() => parseNewApiKey({ name: 'a\nb', role: 'read' })).toThrow(/--name: must not contain control/);
    expect(() => parseNewApiKey({ name: 'ci', role: 'owner' })).toThrow(/--role/);
    for (const rate of ['0', '-1', '1.5', 'ten', '1000001'])
      expect(() => parseNewApiKey({ name: 'ci', role: 'read', rate })).toThrow(/--rate/);
  });

  it('takes key ids of 12 hex digits only', () => {
    expect(parseKeyId('0123456789AB', 'ID')).toBe('0123456789ab');
    expect(() => parseKeyId('sgk_0123456789ab_x', 'ID')).toThrow(/ID: must be a key id/);
  });
});

describe('tokenFrom', () => {
  it('reads Bearer (any case) and X-API-Key, Authorization first', () => {
    expect(tokenFrom({ authorization: 'Bearer abc' })).toBe('abc');
    expect(tokenFrom({ authorization: 'bearer  abc ' })).toBe('abc');
    expect(tokenFrom({ 'x-api-key': ' abc ' })).toBe('abc');
    expect(tokenFrom({ authorization: 'Bearer a', 'x-api-key': 'b' })).toBe('a');
    expect(tokenFrom({})).toBeUndefined();
  });

  it('refuses other schemes and repeated headers', () => {
    expect(() => tokenFrom({ authorization: 'Basic Zm9vOmJhcg==' })).toThrow(UnauthenticatedError);
    expect(() => tokenFrom({ authorization: 'Bearer' })).toThrow(UnauthenticatedError);
    expect(() => tokenFrom({ 'x-api-key': ['a', 'b'] })).toThrow(UnauthenticatedError);
  });
});
