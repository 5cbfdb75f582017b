import type { PullEvent } from '../contract.ts';
import { type HttpClient, isConnectorError, type QueryValue } from '../http/index.ts';
import type { Fail } from './failure.ts';
import { CLIENT_REJECTED, describeAuthServer, REVOKED } from './messages.ts';
import { tokenSchema } from './wire.ts';

/** The school's tokens for one session: the one in use, renewed from the refresh token. */
export interface Tokens {
  /** The access token to send, renewed first when it is missing or about to expire. */
  bearer(): Promise<string>;
  refresh(): Promise<void>;
  /** Asks for an app token with the client credentials alone. */
  appToken(): Promise<void>;
  /** How many times this session has renewed the token. */
  refreshes(): number;
}

export interface TokenOptions {
  client: HttpClient;
  authUrl: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  accessToken: string | null;
  signal: AbortSignal;
  /** The session's list of values to redact; every token we are given is added to it. */
  known: string[];
  log: (event: PullEvent) => void;
  fail: Fail;
}

// Renew a little before the expiry the token endpoint gave, rather than wait for a 401.
const EXPIRY_MARGIN_MS = 60_000;
const TOKEN_PATH = '/oauth/token';

export function createTokens(options: TokenOptions): Tokens {
  const { client, known, log, fail } = options;
  let access = options.accessToken;
  let refreshToken = options.refreshToken;
  let expiresAt: number | null = null;
  let refreshes = 0;

  const basic = Buffer.from(`${options.clientId}:${options.clientSecret}`).toString('base64');

  const post = async (query: Record<string, QueryValue>, form: Record<string, string>) => {
    try {
      const response = await client.request({
        method: 'POST',
        url: `${options.authUrl}${TOKEN_PATH}`,
        query,
        form,
        headers: { authorization: `Basic ${basic}`, accept: 'application/json' },
        // Sending the same grant again is harmless unless Assembly rotates refresh tokens on
        // use, which its docs do not say (research 8); a lost answer is rarer than a 502.
        idempotent: true,
        expect: 'json',
        schema: tokenSchema,
        signal: options.signal,
        secrets: known,
        describe: describeAuthServer(),
      });
      if (response.empty) {
        throw fail('invalid_json', {
          path: TOKEN_PATH,
          detail: 'an empty answer',
          message: "Assembly's sign-in server gave an empty answer. The sync will try again.",
        });
      }
      known.push(response.body.access_token);
      return response.body;
    } catch (error) {
      throw refused(error);
    }
  };

  // OAuth servers answer a bad client with invalid_client and a dead refresh token with
  // invalid_grant; the excerpt keeps these codes, with any token in it redacted.
  const refused = (error: unknown): unknown => {
    if (!isConnectorError(error)) return error;
    if (error.status !== 400 && error.status !== 401) return error;
    const badClient = error.bodyExcerpt?.includes('invalid_client') ?? false;
    return fail('http_unauthorized', {
      path: TOKEN_PATH,
      status: error.status,
      attempts: error.attempts,
      message: badClient ? CLIENT_REJECTED : REVOKED,
    });
  };

  const refresh = async (): Promise<void> => {
    const token = await post({}, { grant_type: 'refresh_token', refresh_token: refreshToken });
    refreshes += 1;
    access = token.access_token;
    expiresAt = token.expires_in ? Date.now() + token.expires_in * 1000 : null;
    log({ level: 'info', code: 'token_refreshed', message: 'Renewed the Assembly school token.' });
    if (token.refresh_token && token.refresh_token !== refreshToken) rotated(token.refresh_token);
  };

  // The connector cannot store secrets, so a rotated refresh token lives only for this run.
  const rotated = (next: string): void => {
    refreshToken = next;
    known.push(next);
    log({
      level: 'warn',
      code: 'refresh_token_rotated',
      message:
        'Assembly issued a new refresh token; this run uses it, but the stored one may stop ' +
        'working. If the next run fails to sign in, ask the school to approve the app again.',
    });
  };

  return {
    async bearer() {
      const stale = expiresAt !== null && Date.now() > expiresAt - EXPIRY_MARGIN_MS;
      if (access === null || stale) await refresh();
      return access!;
    },
    refresh,
    async appToken() {
      // Assembly takes the grant type in the query for this grant (research 4).
      await post({ grant_type: 'client_credentials' }, {});
    },
    refreshes: () => refreshes,
  };
}
