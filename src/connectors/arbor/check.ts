import type { CheckContext, CheckResult } from '../contract.ts';
import { isConnectorError } from '../http/index.ts';
import { type ArborClient, createArborClient, type Row } from './client.ts';
import type { ArborConfig, ArborResources, ArborSecrets } from './config.ts';
import { RESOURCE_WORDS } from './messages.ts';
import { hasAll, hrefOf, isRow, listRows, maxRevision, oneRow } from './records.ts';

/**
 * "Check connection": one page of one record from each resource a pull reads, so that a
 * missing permission is named before the first sync rather than found part-way through it.
 */

const PROBED: readonly (keyof ArborResources)[] = [
  'upnAssignments',
  'senAssignments',
  'pupilPremium',
  'marks',
];

export async function checkArbor(
  ctx: CheckContext<ArborConfig, ArborSecrets>,
): Promise<CheckResult> {
  const arbor = createArborClient(ctx.config, ctx.secrets, ctx.signal);
  try {
    return await probe(arbor, ctx.config);
  } catch (error) {
    if (!isConnectorError(error)) throw error;
    return {
      ok: false,
      category: error.category,
      message: error.message,
      details: { host: arbor.host, code: error.code },
    };
  } finally {
    await arbor.close();
  }
}

async function probe(arbor: ArborClient, config: ArborConfig): Promise<CheckResult> {
  const { host } = arbor;
  const query = {
    'page-size': 1,
    [config.paging.pageNumberParam]: config.paging.firstPageNumber,
  };
  const students = await arbor.get(config.resources.students, query);
  const first = students ? (listRows(students.body) ?? []) : [];
  const missing: string[] = [];
  if (first[0] && !(await personReadable(arbor, first[0]))) missing.push(RESOURCE_WORDS.people);

  for (const key of PROBED) {
    try {
      await arbor.get(config.resources[key], query);
    } catch (error) {
      if (isConnectorError(error) && error.code === 'http_forbidden') {
        missing.push(RESOURCE_WORDS[key]);
      } else {
        throw error;
      }
    }
  }

  if (missing.length > 0) {
    return {
      ok: false,
      category: 'auth',
      message:
        `Arbor at ${host} accepted the username and password, but the Next Steps Sync ` +
        `application may not read ${missing.join(', ')}. Ask the school to give the ` +
        'application those permissions in Arbor, then check again.',
      details: { host, missing: missing.join('; ') },
    };
  }
  return {
    ok: true,
    category: null,
    message:
      `Connected to Arbor at ${host}. Pupils, their names, UPNs, SEN statuses, pupil premium ` +
      'records and assessment marks can all be read.',
    details: {
      host,
      pupilsFound: first.length > 0 ? 'yes' : 'none yet',
      revision: String(maxRevision(first) ?? 'unknown'),
    },
  };
}

// Without permission Arbor may send a record's ref and nothing else, rather than refuse
// (a third-party client's finding, research 2 source A3), so the person is read to be sure.
async function personReadable(arbor: ArborClient, listed: unknown): Promise<boolean> {
  if (!isRow(listed)) return false;
  let student = listed;
  if (!('person' in student)) {
    const whole = await fetchOne(arbor, student);
    if (!whole) return false;
    student = whole;
  }
  const person = student.person;
  if (!isRow(person)) return false;
  if (hasAll(person, ['legalLastName'])) return true;
  const whole = await fetchOne(arbor, person);
  return whole !== null && hasAll(whole, ['legalLastName']);
}

async function fetchOne(arbor: ArborClient, ref: Row): Promise<Row | null> {
  const href = hrefOf(ref);
  const fetched = href ? await arbor.get(href, {}, { missingIsNull: true }) : null;
  return fetched ? oneRow(fetched.body) : null;
}
