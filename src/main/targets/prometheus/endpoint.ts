// The Prometheus base URL as configured may carry user:password (behind a reverse proxy). fetch refuses
// such URLs, and a result must never show them: they become a Basic Authorization header, and the
// endpoint reported is the URL without them.
export interface PrometheusEndpoint {
  /** Base URL without credentials and without a trailing slash. */
  base: string;
  headers: Record<string, string>;
  /** True when the URL carried credentials (reported, not shown). */
  basicAuth: boolean;
}

export function prometheusEndpoint(url: string): PrometheusEndpoint {
  const parsed = new URL(url);
  const headers: Record<string, string> = { Accept: 'application/json' };
  const basicAuth = Boolean(parsed.username || parsed.password);
  if (basicAuth) {
    const user = decodeURIComponent(parsed.username);
    const password = decodeURIComponent(parsed.password);
    headers.Authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    parsed.username = '';
    parsed.password = '';
  }
  parsed.search = '';
  parsed.hash = '';
  return { base: parsed.toString().replace(/\/+$/, ''), headers, basicAuth };
}
