import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { canManageSources, type Principal } from '../../access/principal.ts';
import { actorOf } from '../../access/users.ts';
import type { ConnectorKind } from '../../connectors/contract.ts';
import { connectorKind, connectorKinds } from '../../connectors/registry.ts';
import { checkSchedule } from '../../sync/schedule.ts';
import {
  createSource,
  type Source,
  SourceError,
  sourceSecrets,
  updateSource,
} from '../../sync/sources.ts';
import { principalOf } from '../auth.ts';
import { HttpError } from '../errors.ts';
import { requireThat, visibleSchool, visibleSource } from '../scope.ts';
import { checkView } from '../views/source.ts';
import { type SourceFormView, sourceForm, sourceFormPage } from '../views/source-form.ts';
import { type ReadSettings, readSettings, type Settings, settingsForm } from './connector-form.ts';
import { csrfOf, isFragment, prepare, type Site, sendPage, sendRedirect } from './respond.ts';
import { runCheck } from './sources.ts';

/**
 * Adding a source of any connector kind, and editing one, through a form made from the kind's
 * own schemas. Secrets are write-only: never shown again, and a blank secret keeps what is saved.
 */

type AnyKind = ConnectorKind<unknown, unknown>;

const formBody = z.record(z.string(), z.union([z.string(), z.array(z.string())])).catch({});
const newQuery = z.object({ kind: z.string().max(60).optional() });
const schoolParams = z.object({ schoolId: z.string() });
const sourceParams = z.object({ sourceId: z.string() });
const CHECK_TIMEOUT_MS = 30_000;

interface FormState {
  name: { value: string; error: string | null };
  schedule: { value: string; error: string | null };
  fullSchedule: { value: string; error: string | null };
  config: ReadSettings;
  secrets: ReadSettings;
  changedSecrets: string[];
}

export function sourceFormRoutes(app: FastifyInstance, site: Site) {
  const { db } = site;

  const schoolFor = async (request: FastifyRequest) => {
    const principal = principalOf(request);
    const { schoolId } = schoolParams.parse(request.params);
    const school = await visibleSchool(db, principal, schoolId);
    requireManage(principal, school.id);
    return { principal, school };
  };

  const sourceFor = async (request: FastifyRequest) => {
    const principal = principalOf(request);
    const { sourceId } = sourceParams.parse(request.params);
    const source = await visibleSource(db, principal, sourceId);
    requireManage(principal, source.schoolId);
    const school = await visibleSchool(db, principal, source.schoolId);
    const kind = connectorKind(source.kind);
    if (!kind) throw new HttpError(409, 'unknown_kind', `No connector "${source.kind}".`);
    return { principal, school, source, kind };
  };

  app.get('/schools/:schoolId/sources/new', async (request, reply) => {
    const { school } = await schoolFor(request);
    const kind = kindNamed(newQuery.parse(request.query).kind);
    const state = blankState();
    const main = sourceFormPage(newView(school, kind, state, null, csrfOf(request)));
    return sendPage(site, request, reply, { title: 'Add a source', main });
  });

  app.post('/schools/:schoolId/sources', async (request, reply) => {
    const { principal, school } = await schoolFor(request);
    const body = formBody.parse(request.body);
    const kind = kindNamed(text(body.kind));
    const state = readForm(kind, body, {});
    let formError = failed(state);
    if (!formError) {
      try {
        const source = await createSource(db, site.context.secretKey, actorOf(principal), {
          schoolId: school.id,
          kind: kind.kind,
          name: state.name.value,
          config: state.config.values,
          secrets: state.secrets.values,
          schedule: state.schedule.value || undefined,
          fullSchedule: state.fullSchedule.value || undefined,
        });
        return sendRedirect(request, reply, `/sources/${source.id}`);
      } catch (error) {
        if (!(error instanceof SourceError)) throw error;
        formError = placeSourceError(state, error);
      }
    }
    const view = newView(school, kind, state, formError, csrfOf(request));
    return answerForm(request, reply, view);
  });

  app.post('/schools/:schoolId/sources/check', async (request, reply) => {
    await schoolFor(request);
    const body = formBody.parse(request.body);
    const kind = kindNamed(text(body.kind));
    return sendCheck(reply, kind, readForm(kind, body, {}));
  });

  app.get('/sources/:sourceId/edit', async (request, reply) => {
    const { school, source, kind } = await sourceFor(request);
    const main = sourceFormPage(editView(site, school, source, kind, null, null, csrfOf(request)));
    return sendPage(site, request, reply, { title: `Edit ${source.name}`, main });
  });

  app.post('/sources/:sourceId/edit', async (request, reply) => {
    const { principal, school, source, kind } = await sourceFor(request);
    const body = formBody.parse(request.body);
    const stored = sourceSecrets(site.context.secretKey, source);
    const state = readForm(kind, body, stored);
    const formError = failed(state);
    if (!formError) {
      await updateSource(
        db,
        site.context.secretKey,
        actorOf(principal),
        source,
        {
          name: state.name.value,
          config: state.config.values,
          secrets: state.secrets.values,
          changedSecrets: state.changedSecrets,
          schedule: kind.transport === 'api' ? state.schedule.value || source.schedule : null,
          fullSchedule:
            kind.transport === 'api' ? state.fullSchedule.value || source.fullSchedule : null,
        },
        site.context.clock.now(),
      );
      return sendRedirect(request, reply, `/sources/${source.id}`);
    }
    const view = editView(site, school, source, kind, state, formError, csrfOf(request));
    return answerForm(request, reply, view);
  });

  app.post('/sources/:sourceId/edit/check', async (request, reply) => {
    const { source, kind } = await sourceFor(request);
    const body = formBody.parse(request.body);
    const stored = sourceSecrets(site.context.secretKey, source);
    return sendCheck(reply, kind, readForm(kind, body, stored));
  });

  async function answerForm(request: FastifyRequest, reply: FastifyReply, view: SourceFormView) {
    if (isFragment(request)) {
      prepare(reply, 422);
      return reply.send(sourceForm(view));
    }
    return sendPage(site, request, reply, {
      title: view.mode === 'new' ? 'Add a source' : 'Edit source',
      main: sourceFormPage(view),
      status: 422,
    });
  }

  async function sendCheck(reply: FastifyReply, kind: AnyKind, state: FormState) {
    const problem =
      state.config.formError ??
      state.secrets.formError ??
      [...state.config.errors.values(), ...state.secrets.errors.values()][0];
    const check = problem
      ? { ok: false, message: `Fix the settings first: ${problem}`, details: [] }
      : await runCheck(() =>
          kind.check({
            config: kind.configSchema.parse(state.config.values),
            secrets: kind.secretsSchema.parse(state.secrets.values),
            signal: AbortSignal.timeout(CHECK_TIMEOUT_MS),
          }),
        );
    prepare(reply);
    return reply.send(checkView(check));
  }
}

function requireManage(principal: Principal, schoolId: string) {
  requireThat(
    canManageSources(principal, schoolId),
    "Only the school's data lead or a trust admin can add or change its sources.",
  );
}

function kindNamed(name: string | undefined): AnyKind {
  const kinds = connectorKinds();
  const kind = name ? connectorKind(name) : kinds[0];
  if (!kind) throw new HttpError(404, 'not_found', 'There is no such kind of source.');
  return kind;
}

function blankState(): FormState {
  const empty = (): ReadSettings => ({ values: {}, errors: new Map(), formError: null });
  return {
    name: { value: '', error: null },
    schedule: { value: '', error: null },
    fullSchedule: { value: '', error: null },
    config: empty(),
    secrets: empty(),
    changedSecrets: [],
  };
}

function readForm(kind: AnyKind, body: Record<string, unknown>, stored: Settings): FormState {
  const name = text(body.name).trim();
  const schedule = text(body.schedule).trim();
  const fullSchedule = text(body.fullSchedule).trim();
  const scheduleError = (value: string) => {
    if (value === '' || kind.transport !== 'api') return null;
    const check = checkSchedule(value);
    return check.ok ? null : check.reason;
  };
  const config = readSettings(kind.configSchema, { prefix: 'config', secret: false }, body);
  const secrets = readSettings(
    kind.secretsSchema,
    { prefix: 'secrets', secret: true },
    body,
    stored,
  );
  const changedSecrets = Object.keys(body)
    .filter((key) => key.startsWith('secrets.') && text(body[key]).trim() !== '')
    .map((key) => key.slice('secrets.'.length));
  return {
    name: { value: name, error: nameProblem(name) },
    schedule: { value: schedule, error: scheduleError(schedule) },
    fullSchedule: { value: fullSchedule, error: scheduleError(fullSchedule) },
    config,
    secrets,
    changedSecrets,
  };
}

function nameProblem(name: string): string | null {
  if (name === '') return 'Give the source a name.';
  return name.length > 120 ? 'Use 120 characters or fewer.' : null;
}

/** The first thing wrong with the form, to say above it; null when it can be saved. */
function failed(state: FormState): string | null {
  const fieldErrors =
    [state.name.error, state.schedule.error, state.fullSchedule.error].filter(Boolean).length +
    state.config.errors.size +
    state.secrets.errors.size;
  if (state.config.formError) return state.config.formError;
  if (state.secrets.formError) return state.secrets.formError;
  return fieldErrors > 0 ? 'Some settings need changing: they are marked below.' : null;
}

/** `createSource`'s own refusal, placed on its field where it has one. */
function placeSourceError(state: FormState, error: SourceError): string {
  if (error.field === 'schedule') state.schedule.error = error.message;
  else if (error.field === 'fullSchedule') state.fullSchedule.error = error.message;
  return error.message;
}

function newView(
  school: { id: string; name: string },
  kind: AnyKind,
  state: FormState,
  formError: string | null,
  csrf: string,
): SourceFormView {
  return {
    crumbs: [
      { href: '/', label: 'Home' },
      { href: `/schools/${school.id}`, label: school.name },
      { href: null, label: 'Add a source' },
    ],
    mode: 'new',
    school: { id: school.id, name: school.name },
    action: `/schools/${school.id}/sources`,
    checkAction: `/schools/${school.id}/sources/check`,
    kinds: connectorKinds().map((option) => ({ value: option.kind, label: option.label })),
    kind: kind.kind,
    kindLabel: kind.label,
    transport: kind.transport,
    name: state.name,
    schedule: state.schedule,
    fullSchedule: state.fullSchedule,
    config: settingsForm(
      kind.configSchema,
      { prefix: 'config', secret: false },
      state.config.values,
      state.config.errors,
    ),
    secrets: settingsForm(
      kind.secretsSchema,
      { prefix: 'secrets', secret: true },
      {},
      state.secrets.errors,
    ),
    formError,
    csrf,
  };
}

function editView(
  site: Site,
  school: { id: string; name: string },
  source: Source,
  kind: AnyKind,
  state: FormState | null,
  formError: string | null,
  csrf: string,
): SourceFormView {
  const stored = sourceSecrets(site.context.secretKey, source);
  const current = state ?? {
    ...blankState(),
    name: { value: source.name, error: null },
    schedule: { value: source.schedule ?? '', error: null },
    fullSchedule: { value: source.fullSchedule ?? '', error: null },
    config: { values: source.config, errors: new Map(), formError: null },
  };
  return {
    ...newView(school, kind, current, formError, csrf),
    crumbs: [
      { href: '/', label: 'Home' },
      { href: `/schools/${school.id}`, label: school.name },
      { href: `/sources/${source.id}`, label: source.name },
      { href: null, label: 'Edit' },
    ],
    mode: 'edit',
    action: `/sources/${source.id}/edit`,
    checkAction: `/sources/${source.id}/edit/check`,
    secrets: settingsForm(
      kind.secretsSchema,
      { prefix: 'secrets', secret: true },
      {},
      current.secrets.errors,
      stored,
    ),
  };
}

function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
  return '';
}
