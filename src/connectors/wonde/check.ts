import type { CheckContext, CheckResult } from '../contract.ts';
import { type ConnectorError, isConnectorError } from '../http/index.ts';
import { createWondeClient, type WondeClient } from './client.ts';
import type { WondeConfig, WondeSecrets } from './config.ts';
import { listPages } from './listing.ts';
import { askForPermissions } from './permissions.ts';
import { STUDENT_INCLUDES, withheldPermissions } from './pupils.ts';
import { included, isRecord, listSchema } from './schemas.ts';
import { readSchool } from './school.ts';

type Ctx = CheckContext<WondeConfig, WondeSecrets>;

// Enough students to tell a withheld date of birth from one pupil without one.
const SAMPLE = 20;
// Wonde lists the schools in each access state; a trust's token reaches a few dozen.
const MAX_STATE_PAGES = 10;

/**
 * Reads the school, a page of students and a page of aspects: the token, the school id, the
 * regional host and each permission the pull needs are proved or named.
 */
export async function checkWonde(ctx: Ctx): Promise<CheckResult> {
  const client = createWondeClient(ctx.config, ctx.secrets);
  try {
    return await runCheck(client, ctx);
  } catch (error) {
    if (!isConnectorError(error)) throw error;
    return failed(error.category, error.message, {});
  } finally {
    await client.close();
  }
}

async function runCheck(client: WondeClient, ctx: Ctx): Promise<CheckResult> {
  const host = new URL(ctx.config.baseUrl).host;
  const school = await readSchool(client, ctx.config, ctx.signal).catch((error: unknown) => {
    if (isRefusal(error)) return explainRefusal(client, ctx, error);
    throw error;
  });
  if ('ok' in school) return school;
  if (school.regionHost && school.regionHost !== host) {
    const message =
      `Wonde says school ${ctx.config.schoolId} is served from ${school.regionHost}, not ` +
      `${host}. Set the regional host to https://${school.regionHost}/v1.0/.`;
    return failed('config', message, { school: school.name ?? '' });
  }

  const students = await client.get(
    client.schoolRef('students'),
    { include: [...STUDENT_INCLUDES], per_page: SAMPLE },
    ctx.signal,
  );
  const sample = listSchema.safeParse(students.json);
  const records = sample.success ? sample.data.data : [];
  const withheld = withheldPermissions(records, { fieldsToo: records.length >= 5 });
  if (withheld.length > 0) return failed('auth', askForPermissions(withheld), {});

  await client.get(
    client.schoolRef(ctx.config.assessment.aspectsPath),
    { per_page: 1 },
    ctx.signal,
  );
  const pupils = await countPupils(client, ctx);
  const details: Record<string, string> = {
    school: school.name ?? ctx.config.schoolId,
    schoolId: ctx.config.schoolId,
    host,
  };
  if (pupils !== null) details.pupils = String(pupils);
  const onRoll = pupils === null ? '' : `: ${pupils} pupils on roll`;
  return {
    ok: true,
    category: null,
    message: `Connected to ${details.school} in Wonde${onRoll}.`,
    details,
  };
}

// Wonde's own 404 or 403 for the school: unknown, or known but not (or no longer) approved.
function isRefusal(error: unknown): error is ConnectorError {
  if (!isConnectorError(error) || error.status === undefined) return false;
  return error.code === 'http_forbidden' || error.code === 'http_not_found';
}

async function explainRefusal(
  client: WondeClient,
  ctx: Ctx,
  error: ConnectorError,
): Promise<CheckResult> {
  const state = await accessState(client, ctx);
  const id = ctx.config.schoolId;
  if (state === 'pending') {
    return failed(
      'auth',
      `School ${id} has not yet approved Next Steps Sync in Wonde. Ask the school to ` +
        'accept the access request in the Wonde portal.',
      { access: 'pending' },
    );
  }
  if (state === 'revoked') {
    return failed(
      'auth',
      `School ${id} has revoked Next Steps Sync's access in Wonde. Ask the school to ` +
        'approve the app again in the Wonde portal.',
      { access: 'revoked' },
    );
  }
  return failed(error.category, error.message, {});
}

async function accessState(client: WondeClient, ctx: Ctx): Promise<'pending' | 'revoked' | null> {
  for (const state of ['pending', 'revoked'] as const) {
    if (await listsSchool(client, ctx, `schools/${state}`)) return state;
  }
  return null;
}

async function listsSchool(client: WondeClient, ctx: Ctx, ref: string): Promise<boolean> {
  try {
    let pages = 0;
    const start = { ref, query: { per_page: 200 } };
    for await (const listed of listPages(client, start, { signal: ctx.signal, pageDelayMs: 0 })) {
      if (listed.records.some((school) => isRecord(school) && school.id === ctx.config.schoolId)) {
        return true;
      }
      pages += 1;
      if (pages >= MAX_STATE_PAGES) return false;
    }
  } catch {
    // The lists only sharpen the message; the original failure still stands.
  }
  return false;
}

// The shape of `counts` is not published (research 1.7): a number is looked for where it is
// likely to be, and the check carries on without one.
async function countPupils(client: WondeClient, ctx: Ctx): Promise<number | null> {
  try {
    const answer = await client.get(
      client.schoolRef('counts'),
      { include: 'students' },
      ctx.signal,
    );
    const data = isRecord(answer.json) ? answer.json.data : null;
    if (!isRecord(data)) return null;
    const students = data.students;
    if (typeof students === 'number') return students;
    const count = (included(students) ?? (isRecord(students) ? students : {})).count;
    return typeof count === 'number' ? count : null;
  } catch {
    return null;
  }
}

function failed(
  category: CheckResult['category'],
  message: string,
  details: Record<string, string>,
): CheckResult {
  return { ok: false, category, message, details };
}
