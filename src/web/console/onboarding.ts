import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { canAdminister, type Principal } from '../../access/principal.ts';
import { actorOf } from '../../access/users.ts';
import type { Db } from '../../db/index.ts';
import { unmappedValues } from '../../sync/reconcile.ts';
import { createSource } from '../../sync/sources.ts';
import type { School } from '../../trust/schools.ts';
import { principalOf } from '../auth.ts';
import { requireThat, visibleSchool } from '../scope.ts';
import { phaseLabel } from '../views/labels.ts';
import {
  type BaselineFacts,
  type ConnectStep,
  type OnboardingView,
  onboardingView,
  type StepState,
} from '../views/onboarding.ts';
import { baselineFacts } from './baseline.ts';
import { kindInfo } from './choices.ts';
import { isActive } from './health.ts';
import { proposalCovers, type SchoolProgress, schoolProgress } from './progress.ts';
import {
  activeSubjects,
  aspectsOf,
  pendingRulesFor,
  pendingSubjectMappings,
  type RunState,
  runStates,
  type SourceRow,
  sourcesOf,
  unlinkedAspects,
  uploadRuns,
} from './queries.ts';
import { csrfOf, type Site, sendPage, sendRedirect } from './respond.ts';
import { parseForm } from './unmapped.ts';
import { uploadFormContext, uploadSource } from './uploads.ts';

/**
 * A newly converted school's guided path, for trust admins: added with its conversion date and
 * baseline (8.3), its system connected or its old system's file uploaded as the baseline, its
 * assessments and grades mapped, the rules confirmed (6.1, 6.2), and the baseline landed.
 */

const schoolParams = z.object({ schoolId: z.string() });
const FILE_KINDS = [
  { kind: 'spreadsheet', label: 'spreadsheet', name: 'Baseline spreadsheet' },
  { kind: 'ctf', label: 'CTF', name: 'Baseline CTF' },
] as const;
const fileSourceForm = z.object({ kind: z.enum(['spreadsheet', 'ctf']) });
const RECENT_UPLOADS = 3;

export function onboardingRoutes(app: FastifyInstance, site: Site) {
  const { db } = site;

  const adminSchool = async (request: FastifyRequest) => {
    const principal = principalOf(request);
    requireThat(canAdminister(principal), 'Only a trust admin can onboard a school.');
    const { schoolId } = schoolParams.parse(request.params);
    return { principal, school: await visibleSchool(db, principal, schoolId) };
  };

  app.get('/schools/:schoolId/onboarding', async (request, reply) => {
    const { school } = await adminSchool(request);
    const main = onboardingView(await onboardingOf(site, request, school));
    return sendPage(site, request, reply, { title: `Onboarding: ${school.name}`, main });
  });

  // One click sets up the source a file from the old school's system is uploaded to.
  app.post('/schools/:schoolId/onboarding/file-source', async (request, reply) => {
    const { principal, school } = await adminSchool(request);
    const { kind } = parseForm(fileSourceForm, request.body);
    const sources = await sourcesOf(db, [school.id]);
    if (!sources.some((source) => source.kind === kind)) {
      await createSource(db, site.context.secretKey, actorOf(principal), {
        schoolId: school.id,
        kind,
        name: FILE_KINDS.find((option) => option.kind === kind)!.name,
        config: {},
        secrets: {},
      });
    }
    return sendRedirect(request, reply, `/schools/${school.id}/onboarding#step-2`);
  });
}

/**
 * The guided path's link for the school page: shown to trust admins while the school's baseline
 * has not landed in full, or is still to be worked out.
 */
export async function onboardingLink(db: Db, principal: Principal, school: School) {
  if (!canAdminister(principal)) return null;
  const baseline = await baselineFacts(db, school, { create: false });
  if (baseline.kind === 'not_needed') return null;
  if (baseline.kind === 'due' && baseline.collection) {
    const subjects = await activeSubjects(db);
    const progress = await schoolProgress(db, school.id, baseline.collection.id, subjects, false);
    if (progress.cells.every((cell) => cell.state === 'complete')) return null;
  }
  return {
    href: `/schools/${school.id}/onboarding`,
    text:
      baseline.kind === 'due'
        ? `${baseline.collection?.label ?? `Baseline (${baseline.reason.termly})`} has not ` +
          'landed in full yet'
        : 'Its baseline is not in the calendar yet',
  };
}

async function onboardingOf(
  site: Site,
  request: FastifyRequest,
  school: School,
): Promise<OnboardingView> {
  const { db } = site;
  const baseline = await baselineFacts(db, school, { create: true });
  const baselineId = baseline.kind === 'due' ? (baseline.collection?.id ?? null) : null;
  const sources = await sourcesOf(db, [school.id]);
  const states = await runStates(
    db,
    sources.map((source) => source.id),
  );
  const connect = await connectStep(site, request, school, sources, states, baselineId);

  const unmapped = await unmappedValues(db, school.id, null);
  const assessmentsWaiting =
    (await pendingSubjectMappings(db, school.id)).length +
    (await unlinkedAspects(db, school.id)).length;
  const arrived = (await aspectsOf(db, school.id)).length > 0;
  const mapState: StepState = !arrived
    ? 'waiting'
    : assessmentsWaiting + unmapped.length > 0
      ? 'to do'
      : 'done';

  const pending = await pendingRulesFor(db, school.id);
  const schoolRules = pending.filter((rule) => rule.schoolId === school.id).length;
  const libraryRules = pending.filter(
    (rule) => rule.schoolId === null && unmapped.some((value) => proposalCovers(rule, value)),
  ).length;
  const confirmState: StepState =
    schoolRules + libraryRules > 0
      ? 'needs confirmation'
      : arrived && mapState === 'done'
        ? 'done'
        : 'waiting';

  const subjects = await activeSubjects(db);
  const progress = baselineId
    ? await schoolProgress(db, school.id, baselineId, subjects, connect.state === 'syncing')
    : null;

  return {
    crumbs: [
      { href: '/', label: 'Home' },
      { href: '/schools', label: 'Schools' },
      { href: `/schools/${school.id}`, label: school.name },
      { href: null, label: 'Onboarding' },
    ],
    school: {
      id: school.id,
      name: school.name,
      urn: school.urn,
      laestab: school.laestab,
      phase: phaseLabel(school.phase, school.setting),
      addedOn: school.createdAt,
    },
    baseline,
    connect,
    map: { state: mapState, arrived, assessmentsWaiting, valuesWaiting: unmapped.length },
    confirm: { state: confirmState, schoolRules, libraryRules },
    landed: {
      state: landedState(baseline, progress),
      cells: progress?.cells ?? [],
      onRoll: progress?.onRoll ?? 0,
    },
    csrf: csrfOf(request),
  };
}

async function connectStep(
  site: Site,
  request: FastifyRequest,
  school: School,
  sources: readonly SourceRow[],
  states: Map<string, RunState>,
  baselineId: number | null,
): Promise<ConnectStep> {
  const runs = sources.map((source) => states.get(source.id)!);
  const failed = runs.find(
    (run) => run.lastFinished?.status === 'failed' && run.latest?.id === run.lastFinished.id,
  )?.lastFinished;
  const state: StepState =
    sources.length === 0
      ? 'to do'
      : runs.some((run) => run.lastGood)
        ? 'done'
        : runs.some((run) => run.latest && isActive(run.latest.status))
          ? 'syncing'
          : failed
            ? 'failed'
            : 'to do';
  const upload = await uploadFormContext(site, request, school.id);
  return {
    state,
    sources: sources.map((source) => ({
      id: source.id,
      name: source.name,
      kindLabel: kindInfo(source.kind).label,
    })),
    fileSources: sources
      .filter((source) => kindInfo(source.kind).transport === 'file')
      .map((source) => uploadSource(source, null)),
    missingFileKinds: FILE_KINDS.filter(
      (option) => !sources.some((source) => source.kind === option.kind),
    ),
    upload: { ...upload, selectedCollection: baselineId === null ? null : String(baselineId) },
    recent: await uploadRuns(site.db, school.id, RECENT_UPLOADS),
    failure: failed ? { runId: failed.id, message: failed.message ?? 'The run failed.' } : null,
  };
}

function landedState(baseline: BaselineFacts, progress: SchoolProgress | null): StepState {
  if (baseline.kind === 'not_needed') return 'not needed';
  if (!progress || progress.onRoll === 0) return 'waiting';
  if (progress.cells.every((cell) => cell.state === 'complete')) return 'done';
  return progress.cells.some((cell) => cell.landed > 0) ? 'in progress' : 'waiting';
}
