import type {
  Checkpoint,
  ConnectorKind,
  PullContext,
  PullEvent,
  PullSummary,
  RecordProblem,
  SourceDeletion,
  SourcePupil,
  SourceResult,
  UploadedFile,
} from '../../src/connectors/contract.ts';

/** Everything one pull produced, as the sync engine would have seen it. */
export interface PullOutcome {
  pupils: SourcePupil[];
  results: SourceResult[];
  deletions: SourceDeletion[];
  problems: RecordProblem[];
  /** The checkpoint after each page, in order. */
  checkpoints: Checkpoint[];
  rawLabels: string[];
  events: PullEvent[];
  summary: PullSummary | null;
  /** What the pull threw, if it failed part-way. */
  error: unknown;
}

export interface PullOptions<Config, Secrets> {
  config: Config;
  secrets: Secrets;
  mode?: 'full' | 'incremental';
  resumeFrom?: Checkpoint | null;
  cursor?: Checkpoint | null;
  file?: UploadedFile | null;
  signal?: AbortSignal;
}

/** Runs a connector's pull to its end (or its failure), collecting what it yields. */
export async function collectPull<Config, Secrets>(
  kind: ConnectorKind<Config, Secrets>,
  options: PullOptions<Config, Secrets>,
): Promise<PullOutcome> {
  const outcome: PullOutcome = {
    pupils: [],
    results: [],
    deletions: [],
    problems: [],
    checkpoints: [],
    rawLabels: [],
    events: [],
    summary: null,
    error: null,
  };
  const context: PullContext<Config, Secrets> = {
    config: options.config,
    secrets: options.secrets,
    mode: options.mode ?? 'full',
    resumeFrom: options.resumeFrom ?? null,
    cursor: options.cursor ?? null,
    file: options.file ?? null,
    signal: options.signal ?? new AbortController().signal,
    log: (event) => outcome.events.push(event),
  };
  try {
    const pull = kind.pull(context);
    let step = await pull.next();
    while (!step.done) {
      const { page, problems, raw, checkpoint } = step.value;
      if (page.kind === 'pupils') outcome.pupils.push(...page.pupils);
      if (page.kind === 'results') outcome.results.push(...page.results);
      if (page.kind === 'deletions') outcome.deletions.push(...page.deletions);
      outcome.problems.push(...problems);
      outcome.checkpoints.push(checkpoint);
      if (raw) outcome.rawLabels.push(raw.label);
      step = await pull.next();
    }
    outcome.summary = step.value;
  } catch (error) {
    outcome.error = error;
  }
  return outcome;
}

/** Ids that occur more than once: a resumed pull must give none. */
export function repeated(ids: readonly string[]): string[] {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) twice.add(id);
    seen.add(id);
  }
  return [...twice];
}
