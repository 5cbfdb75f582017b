import type { CheckContext, CheckResult } from '../contract.ts';
import { isConnectorError } from '../http/index.ts';
import type { AssemblyConfig, AssemblySecrets } from './config.ts';
import { missingDemographics } from './messages.ts';
import { type ListPage, walkList } from './pages.ts';
import { readSchool, schoolMismatch } from './school.ts';
import type { AssemblySession } from './session.ts';
import { openSession } from './session.ts';
import { studentSchema } from './wire.ts';

type Context = CheckContext<AssemblyConfig, AssemblySecrets>;

/**
 * Walks what a pull needs, one small request each, so that the first failure names what to
 * fix: the app's client credentials, the school's token, the school, then each scope.
 */
export async function checkAssembly(ctx: Context): Promise<CheckResult> {
  const { config } = ctx;
  const session = openSession({ config, secrets: ctx.secrets, signal: ctx.signal });
  try {
    await session.appToken();
    const school = await readSchool(session, config);
    const details: Record<string, string> = {
      school: school.name,
      assemblySchoolId: school.id,
      ...(school.urn ? { urn: school.urn } : {}),
    };
    const mismatch = schoolMismatch(config, school);
    if (mismatch) return { ok: false, category: 'config', message: mismatch, details };

    const pupils = await firstPage(
      session,
      '/students',
      { demographics: true },
      {
        what: 'pupils',
        scope: config.scopes.students,
      },
    );
    const count = pupils.total ?? pupils.records.length;
    details.pupils = String(count);
    const sample = studentSchema.safeParse(pupils.records[0]);
    if (sample.success && !sample.data.demographics) {
      return {
        ok: false,
        category: 'auth',
        message: missingDemographics(config.scopes.demographics),
        details,
      };
    }

    if (sample.success) {
      await firstPage(
        session,
        '/results',
        { students: sample.data.id },
        {
          what: 'results',
          scope: config.scopes.results,
        },
      );
    }
    const assessments = { what: 'assessments', scope: config.scopes.assessments };
    await firstPage(session, '/assessments', {}, assessments);
    await firstPage(session, '/facets', {}, assessments);

    return {
      ok: true,
      category: null,
      message:
        `Connected to ${school.name} in Assembly: ${count} pupils on roll, with their ` +
        'demographics, results and assessments readable.',
      details,
    };
  } catch (error) {
    if (!isConnectorError(error)) throw error;
    return {
      ok: false,
      category: error.category,
      message: error.message,
      details: { code: error.code },
    };
  } finally {
    await session.close();
  }
}

async function firstPage(
  session: AssemblySession,
  path: string,
  query: Record<string, string | boolean>,
  endpoint: { what: string; scope: string },
): Promise<Pick<ListPage, 'records' | 'total'>> {
  const pages = walkList(session, { path, query, perPage: 1, endpoint });
  const first = await pages.next();
  await pages.return(undefined);
  return first.done ? { records: [], total: 0 } : first.value;
}
