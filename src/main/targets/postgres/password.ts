// Where the database password comes from: the environment variable named by passwordEnv, the app's secret
// store (passwordSecret), or the operator — never the runbook. It is looked up only when the server asks
// for one (trust and peer logins need none) and kept in memory for reconnects during the run.
import type { PostgresTarget } from '../../../shared/targets.js';
import type { ExecutorContext } from '../types.js';

/** No source gave a password; the message names the fields that could. */
export class PasswordUnavailable extends Error {}

export class PasswordSource {
  private cached: string | null = null;
  /** Where the cached password came from, for notes: "$APP_DB_PASSWORD", 'secret "db"', "asked". Never the value. */
  origin: string | null = null;

  constructor(
    private readonly targetName: string,
    private readonly config: PostgresTarget,
    private readonly ctx: ExecutorContext,
  ) {}

  async get(): Promise<string> {
    if (this.cached !== null) return this.cached;
    const { config, ctx } = this;
    const fromEnv = config.passwordEnv ? ctx.env[config.passwordEnv] : undefined;
    if (fromEnv) return this.keep(fromEnv, `$${config.passwordEnv}`);
    if (config.passwordSecret && ctx.secret) {
      const fromStore = await ctx.secret(config.passwordSecret);
      if (fromStore) return this.keep(fromStore, `secret "${config.passwordSecret}"`);
    }
    const asked = await ctx.ask(`Password for ${config.user}@${config.host}/${config.database} (target ${this.targetName})`, { secret: true });
    if (asked) return this.keep(asked, 'asked of the operator');
    const tried = [
      config.passwordEnv ? `passwordEnv: $${config.passwordEnv} is not set` : 'no passwordEnv',
      config.passwordSecret ? `passwordSecret: "${config.passwordSecret}" is not in the secret store` : 'no passwordSecret',
      'nobody could be asked',
    ];
    throw new PasswordUnavailable(`target ${this.targetName} needs a password and has none (${tried.join('; ')}): set passwordEnv or passwordSecret`);
  }

  /** After a failed login: an asked password is asked again next time; env and store values are re-read. */
  forget(): void {
    this.cached = null;
    this.origin = null;
  }

  private keep(password: string, origin: string): string {
    // The run masks it from now on, wherever it shows up (even one the server then rejects).
    this.ctx.secretInUse?.(password);
    this.cached = password;
    this.origin = origin;
    return password;
  }
}
