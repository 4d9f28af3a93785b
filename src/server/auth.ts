/**
 * API keys and bearer authentication. A key reads `ftk_<id>_<secret>`: the id is public (listings,
 * lookups), the secret is 24 random bytes shown once at creation; the store keeps its sha256 only
 * (the secret is random and long, so a fast hash is enough — there is nothing to brute-force).
 * Verification compares hashes in constant time, also for an unknown id. Keys never reach a log or
 * a response: errors name the key's id at most.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ForbiddenError, UnauthenticatedError, UsageError } from '../core/errors.ts';
import {
  API_KEY_SCOPES,
  type ApiKeyRecord,
  type ApiKeyScope,
  type ApiKeyStore,
} from '../store/api-key-store.ts';

const KEY_FORMAT = /^ftk_([0-9a-f]{12})_([A-Za-z0-9_-]{32})$/;
const hashSecret = (secret: string): Buffer => createHash('sha256').update(secret).digest();
/** Compared against when the id is unknown, so both paths cost the same. */
const DUMMY_HASH = hashSecret('flowtrail-no-such-key');

export function parseScope(scope: string): ApiKeyScope {
  if (!(API_KEY_SCOPES as readonly string[]).includes(scope))
    throw new UsageError(`Unknown API key scope '${scope}'; use one of: ${API_KEY_SCOPES.join(', ')}.`);
  return scope as ApiKeyScope;
}

/**
 * Makes a new key. Returns the full key (to show once) and the record to store.
 *
 * @example
 * const { key, record } = newApiKey('ci', 'write');
 * await apiKeys.create(record);
 */
export function newApiKey(
  name: string,
  scope: ApiKeyScope,
  now = Date.now(),
): { key: string; record: ApiKeyRecord } {
  const id = randomBytes(6).toString('hex');
  const secret = randomBytes(24).toString('base64url');
  return {
    key: `ftk_${id}_${secret}`,
    record: {
      id,
      name,
      scope,
      secretHash: hashSecret(secret).toString('hex'),
      createdAt: now,
      revokedAt: null,
    },
  };
}

export interface Principal {
  /** The key's id, or `anonymous` when authentication is off. */
  keyId: string;
  scope: ApiKeyScope;
}

const RANK: Record<ApiKeyScope, number> = { read: 0, write: 1, admin: 2 };

/** Throws 403's error when `principal` may not do what `required` allows. */
export function requireScope(principal: Principal, required: ApiKeyScope): void {
  if (RANK[principal.scope] < RANK[required])
    throw new ForbiddenError(
      `This operation needs a '${required}' key; key ${principal.keyId} has scope '${principal.scope}'. Create one with \`flowtrail server keys create --scope ${required}\`.`,
      { required, scope: principal.scope },
    );
}

/** Checks bearer keys against the store, caching verified records briefly (revocation shows within `ttlMs`). */
export class Authenticator {
  private readonly cache = new Map<string, { record: ApiKeyRecord | undefined; until: number }>();

  constructor(
    private readonly store: ApiKeyStore,
    /** When false, every request acts as an admin (loopback with the embedded store only). */
    readonly required: boolean,
    private readonly ttlMs = 2000,
  ) {}

  async authenticate(authorization: string | undefined): Promise<Principal> {
    if (!this.required) return { keyId: 'anonymous', scope: 'admin' };
    if (authorization === undefined || authorization.trim() === '')
      throw new UnauthenticatedError(
        'This request carries no API key. Send `Authorization: Bearer <key>` (set FLOWTRAIL_API_KEY for the client and CLI).',
      );
    const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    const parts = match ? KEY_FORMAT.exec(match[1]!) : null;
    if (!parts)
      throw new UnauthenticatedError(
        'The Authorization header does not hold a Flowtrail API key (`Bearer ftk_…`). Check FLOWTRAIL_API_KEY.',
      );
    const [, id, secret] = parts as unknown as [string, string, string];
    const record = await this.lookup(id);
    const expected = record ? Buffer.from(record.secretHash, 'hex') : DUMMY_HASH;
    const given = hashSecret(secret);
    const equal = expected.length === given.length && timingSafeEqual(expected, given);
    if (!record || !equal) throw new UnauthenticatedError('The API key is not valid for this service.');
    if (record.revokedAt !== null) throw new UnauthenticatedError(`The API key ${id} has been revoked.`);
    return { keyId: id, scope: record.scope };
  }

  private async lookup(id: string): Promise<ApiKeyRecord | undefined> {
    const now = Date.now();
    const cached = this.cache.get(id);
    if (cached && cached.until > now) return cached.record;
    const record = await this.store.get(id);
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(id, { record, until: now + this.ttlMs });
    return record;
  }
}
