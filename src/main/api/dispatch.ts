// Validates a call against the contract, runs its handler and validates the answer: the one door into main.
import { type ZodError, z } from 'zod';
import { type ApiError, type ApiInput, type ApiMethod, type ApiOutput, apiContract, isApiMethod } from '../../shared/api.js';

export type ApiHandlers = { [M in ApiMethod]: (input: ApiInput<M>) => Promise<ApiOutput<M>> };

export class ApiCallError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function describe(error: ZodError): string {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(input)'}: ${i.message}`).join('; ');
}

export async function dispatch(handlers: ApiHandlers, method: unknown, input: unknown): Promise<unknown> {
  if (!isApiMethod(method)) throw new ApiCallError('unknown-method', `unknown API method ${JSON.stringify(method)}`);
  const contract = apiContract[method];
  const parsed = contract.input.safeParse(input ?? {});
  if (!parsed.success) throw new ApiCallError('invalid-input', `${method}: ${describe(parsed.error)}`);
  const handler = handlers[method] as (i: unknown) => Promise<unknown>;
  const output = await handler(parsed.data);
  const checked = (contract.output as z.ZodType).safeParse(output);
  if (!checked.success) throw new ApiCallError('invalid-output', `${method} produced an invalid answer: ${describe(checked.error)}`);
  return checked.data;
}

export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiCallError) return { code: error.code, message: error.message };
  return { code: 'internal', message: error instanceof Error ? error.message : String(error) };
}
