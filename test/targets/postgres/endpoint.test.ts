// The one spelling of a PostgreSQL target's address, shared by the executor (results, errors) and preflight.
import { describe, expect, it } from 'vitest';
import { hostPort, postgresEndpoint } from '../../../src/main/targets/postgres/endpoint.js';

const target = { host: '127.0.0.1', user: 'app', database: 'appdb' };

describe('postgresEndpoint', () => {
  it('is user@host:port/database (sslmode), port 5432 and sslmode prefer by default', () => {
    expect(postgresEndpoint(target)).toBe('app@127.0.0.1:5432/appdb (prefer)');
    expect(postgresEndpoint({ ...target, port: 6543, sslmode: 'verify-full' })).toBe('app@127.0.0.1:6543/appdb (verify-full)');
  });

  it('brackets an IPv6 host once, and marks a Unix-socket host "socket" whatever its sslmode', () => {
    expect(postgresEndpoint({ ...target, host: '::1' })).toBe('app@[::1]:5432/appdb (prefer)');
    expect(hostPort('[::1]', 5432)).toBe('[::1]:5432');
    expect(postgresEndpoint({ ...target, host: '/var/run/postgresql', sslmode: 'require' })).toBe('app@/var/run/postgresql:5432/appdb (socket)');
  });
});
