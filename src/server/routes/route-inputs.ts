/** Path parameters, headers and answers that several route groups share. */
import { z } from 'zod';
import { NotFoundError } from '../../core/errors.ts';
import { intParam } from '../schemas.ts';

export const IDEMPOTENCY_HEADER = {
  name: 'Idempotency-Key',
  description: 'Any unique string; a retried request with the same key is applied once.',
};

export const notFound = (what: string, message: string): never => {
  throw new NotFoundError(what, message);
};

export const runIdParams = z.object({ runId: intParam() });
export const flowParams = z.object({ flow: z.string() });
export const taskParams = z.object({ runId: intParam(), taskId: intParam() });
