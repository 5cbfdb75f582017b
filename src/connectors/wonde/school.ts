import type { WondeClient } from './client.ts';
import type { WondeConfig } from './config.ts';
import { WRONG_REGION } from './describe.ts';
import { schoolSchema, singleSchema } from './schemas.ts';

export interface SchoolFacts {
  name: string | null;
  /** The host Wonde says the school's data is on (`region.domain`), when it says. */
  regionHost: string | null;
  /** The server's clock at this answer, as an ISO timestamp. */
  serverTime: string | null;
}

/**
 * Reads the school itself, first in every pull and check: it proves the token, the school id
 * and the regional host in one request, and its Date header starts the run's clock.
 */
export async function readSchool(
  client: WondeClient,
  config: WondeConfig,
  signal: AbortSignal,
): Promise<SchoolFacts> {
  const ref = `schools/${encodeURIComponent(config.schoolId)}`;
  const answer = await client.get(ref, undefined, signal);
  const url = client.resolve(answer.ref).toString();
  const single = singleSchema.safeParse(answer.json);
  if (!single.success) {
    throw client.error({ code: 'schema_mismatch', url, detail: 'the school answer has no "data"' });
  }
  // The wrong regional host answers with empty data instead of an error (research 1.2).
  if (Array.isArray(single.data.data)) {
    throw client.error({ code: 'http_not_found', url, detail: WRONG_REGION });
  }

  const school = schoolSchema.safeParse(single.data.data);
  if (!school.success) {
    throw client.error({ code: 'schema_mismatch', url, detail: 'the school has no id' });
  }
  return {
    name: school.data.name ?? null,
    regionHost: hostOf(school.data.region?.domain),
    serverTime: answer.serverTime,
  };
}

// `region.domain` is a bare host name in Wonde's answers; a full URL is read too.
function hostOf(domain: string | null | undefined): string | null {
  if (!domain) return null;
  const text = domain.includes('://') ? domain : `https://${domain}`;
  return URL.canParse(text) ? new URL(text).host : null;
}
