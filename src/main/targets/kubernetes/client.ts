// Requests to the API server through @kubernetes/client-node's own machinery: its kubeconfig
// authentication (bearer token, client certificate, exec and auth-provider plugins), its TLS settings and
// its undici HTTP library. The typed API classes are bypassed on purpose: they deserialize into model
// classes (dropping fields their model lacks, turning timestamps into Dates), cannot take an AbortSignal
// per call (KubernetesObjectApi ignores per-call options), and JSON patches are arrays, not objects. Here
// every call takes the block's signal, and bodies come back exactly as the server sent them.
import { HttpMethod, IsomorphicFetchHttpLibrary, type RequestContext, type ResponseContext, ServerConfiguration } from '@kubernetes/client-node';
import { KubeApiError, type KubeStatus, KubeTransportError, describeTransport } from './errors.js';
import type { BoundCluster } from './kubeconfig.js';

type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  /** Content-Type of the body; JSON when not given. */
  contentType?: string;
  signal: AbortSignal;
}

type Dispatcher = NonNullable<ReturnType<RequestContext['getDispatcher']>>;

export class KubeClient {
  private readonly server: ServerConfiguration<Record<string, string>>;
  private readonly http = new IsomorphicFetchHttpLibrary();
  /**
   * The connection pool every request of this executor shares. client-node builds a new undici Agent on
   * each applySecurityAuthentication; keeping the first means one TLS session for the whole run, and one
   * pool for close() to shut.
   */
  private dispatcher: Dispatcher | undefined;
  private closed = false;

  constructor(private readonly cluster: BoundCluster) {
    this.server = new ServerConfiguration(cluster.server.replace(/\/+$/, ''), {});
  }

  async json<T>(method: 'GET' | 'PATCH' | 'DELETE' | 'POST', path: string, options: RequestOptions): Promise<T> {
    const response = await this.send(method, path, options, 'application/json');
    const text = await this.read(() => response.body.text(), options.signal);
    if (response.httpStatusCode < 200 || response.httpStatusCode > 299) throw apiError(response.httpStatusCode, text);
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new KubeTransportError(`the API server at ${this.cluster.server} answered ${path} with something that is not JSON: ${text.slice(0, 200)}`);
    }
  }

  /** A response body as a byte stream (pod logs); aborting the signal ends it. */
  async stream(path: string, options: RequestOptions): Promise<ReadableStream<Uint8Array>> {
    const response = await this.send('GET', path, options, '*/*');
    if (response.httpStatusCode < 200 || response.httpStatusCode > 299) throw apiError(response.httpStatusCode, await this.read(() => response.body.text(), options.signal));
    const body = response.body.stream();
    if (!body) throw new KubeTransportError(`the API server at ${this.cluster.server} sent no body for ${path}`);
    return body;
  }

  /** Reads a response body; a connection lost meanwhile is a transport error, a stop is the stop. */
  async read<T>(reading: () => Promise<T>, signal: AbortSignal): Promise<T> {
    try {
      return await reading();
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      throw new KubeTransportError(describeTransport(error, this.cluster.server));
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const dispatcher = this.dispatcher;
    this.dispatcher = undefined;
    await dispatcher?.destroy().catch(() => undefined);
  }

  private async send(method: HttpMethod, path: string, options: RequestOptions, accept: string): Promise<ResponseContext> {
    if (this.closed) throw new KubeTransportError('the executor is closed');
    const request = this.server.makeRequestContext(path, method);
    for (const [name, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) request.setQueryParam(name, String(value));
    }
    request.setHeaderParam('Accept', accept);
    if (options.body !== undefined) {
      request.setHeaderParam('Content-Type', options.contentType ?? 'application/json');
      request.setBody(typeof options.body === 'string' ? options.body : JSON.stringify(options.body));
    }
    await this.cluster.kc.applySecurityAuthentication(request);
    const fresh = request.getDispatcher();
    if (fresh) {
      this.dispatcher ??= fresh;
      request.setDispatcher(this.dispatcher);
    }
    options.signal.throwIfAborted();
    request.setSignal(options.signal);
    try {
      return await this.http.send(request).toPromise();
    } catch (error) {
      if (options.signal.aborted) throw options.signal.reason;
      throw new KubeTransportError(describeTransport(error, this.cluster.server));
    }
  }
}

function apiError(code: number, text: string): KubeApiError {
  let status: KubeStatus | null = null;
  try {
    const parsed = JSON.parse(text) as KubeStatus;
    if (parsed && typeof parsed === 'object' && parsed.kind === 'Status') status = parsed;
  } catch {
    // Not a Status (a proxy's HTML page, a plain-text error): the text itself is reported.
  }
  return new KubeApiError(code, status, text);
}
