// Jump-host specifications as `ssh -J` and ProxyJump write them: `[user@]host[:port]`, `ssh://[user@]host[:port]`,
// IPv6 in brackets (`[::1]:2222`), several hops separated by commas.
export interface Destination {
  user?: string;
  host: string;
  port?: number;
}

function parsePort(text: string, spec: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535) throw new Error(`jump host "${spec}": "${text}" is not a port number`);
  return port;
}

export function parseDestination(spec: string): Destination {
  let rest = spec.trim().replace(/^ssh:\/\//, '');
  const destination: Partial<Destination> = {};
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    destination.user = rest.slice(0, at);
    rest = rest.slice(at + 1);
    if (!destination.user) throw new Error(`jump host "${spec}": empty user name before @`);
  }
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(rest);
  if (bracketed) {
    destination.host = bracketed[1]!;
    if (bracketed[2] !== undefined) destination.port = parsePort(bracketed[2], spec);
  } else {
    const colon = rest.lastIndexOf(':');
    // More than one colon without brackets is a bare IPv6 address, never host:port.
    if (colon >= 0 && rest.indexOf(':') === colon) {
      destination.host = rest.slice(0, colon);
      destination.port = parsePort(rest.slice(colon + 1), spec);
    } else {
      destination.host = rest;
    }
  }
  if (!destination.host || /[\s/]/.test(destination.host)) throw new Error(`jump host "${spec}": not [user@]host[:port]`);
  return destination as Destination;
}

/** The hops of a ProxyJump chain, first hop first. */
export function splitJumpChain(spec: string): string[] {
  return spec
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
