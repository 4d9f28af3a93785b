/**
 * The `ApiKeyStore` port: API keys of the HTTP service. Only a hash of each key's secret is stored;
 * the secret itself is shown once, when the key is created (`server/auth.ts`). Adapters: `sql/`
 * (SQLite and PostgreSQL, in the same database as the metadata).
 */

/** What a key may do: `read` < `write` < `admin`; each scope includes the ones before it. */
export type ApiKeyScope = 'read' | 'write' | 'admin';
export const API_KEY_SCOPES: readonly ApiKeyScope[] = ['read', 'write', 'admin'];

export interface ApiKeyRecord {
  /** Public part of the key, shown in listings and used to look the key up. */
  id: string;
  name: string;
  scope: ApiKeyScope;
  /** Hex sha256 of the secret part. */
  secretHash: string;
  createdAt: number;
  revokedAt: number | null;
}

export interface ApiKeyStore {
  create(key: ApiKeyRecord): Promise<void>;
  get(id: string): Promise<ApiKeyRecord | undefined>;
  /** Every key, newest first, revoked ones included. */
  list(): Promise<ApiKeyRecord[]>;
  /** Marks a key revoked; false when there is no such key or it already was. */
  revoke(id: string, at: number): Promise<boolean>;
}
