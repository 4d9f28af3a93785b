/** Whether what a worker offers covers what a step asks for (`@resources`), and how to say so. */
import type { ResourceRequest } from './declarations.ts';

/** What a worker advertises (`flowtrail worker --resources cpu=4,memoryMb=16384,gpu=1`). */
export type ResourceOffer = Required<ResourceRequest>;

const KEYS = ['cpu', 'memoryMb', 'gpu'] as const;

/** True when `offer` has at least what `request` asks for, resource by resource. */
export function fits(request: ResourceRequest | undefined, offer: ResourceOffer): boolean {
  if (!request) return true;
  return KEYS.every((k) => (request[k] ?? 0) <= offer[k]);
}

/** `cpu=2,gpu=1` (only what is asked); `none` for an empty request. */
export function formatResources(r: ResourceRequest | undefined): string {
  const parts = KEYS.filter((k) => (r?.[k] ?? 0) > 0).map((k) => `${k}=${r![k]}`);
  return parts.length > 0 ? parts.join(',') : 'none';
}
