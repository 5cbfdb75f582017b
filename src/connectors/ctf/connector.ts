import type {
  CheckResult,
  ConnectorKind,
  PullContext,
  PulledPage,
  PullSummary,
  UploadedFile,
} from '../contract.ts';
import { type CtfConfig, type CtfSecrets, ctfConfigSchema, ctfSecretsSchema } from './config.ts';
import { stopIfAborted, xmlText } from './decode.ts';
import { CtfFileError } from './failure.ts';
import { type CtfCheckpoint, ctfCheckpointSchema } from './pages.ts';
import { CtfRead } from './read.ts';
import { CtfReader } from './reader.ts';

/**
 * The DfE Common Transfer File, which is how most newly converted schools bring their pupils'
 * history: identity, statuses and statutory assessments (KS1 and KS2 teacher assessment, pre-key
 * stage standards, the engagement model, phonics and the multiplication tables check).
 */
export const ctfConnector: ConnectorKind<CtfConfig, CtfSecrets> = {
  kind: 'ctf',
  label: 'Common Transfer File (CTF upload)',
  transport: 'file',
  configSchema: ctfConfigSchema,
  secretsSchema: ctfSecretsSchema,
  check,
  pull,
};

async function check(): Promise<CheckResult> {
  return {
    ok: true,
    category: null,
    message:
      'A CTF source needs no connection: the school uploads the CTF its MIS exports (or that ' +
      'S2S delivers), and the file is checked when it is read.',
    details: {},
  };
}

/**
 * Streams the file from its start every time: a file has no deltas, so an incremental pull
 * reads it whole as well. The pull is complete when the file was read to its closing tag.
 */
async function* pull(
  ctx: PullContext<CtfConfig, CtfSecrets>,
): AsyncGenerator<PulledPage, PullSummary> {
  const file = uploaded(ctx);
  const reader = new CtfReader(file.fileName);
  const read = new CtfRead(file, ctx, resumePoint(ctx, file));

  for await (const text of xmlText(file, ctx.signal)) {
    reader.write(text);
    yield* between(ctx, read.take(reader.drain()));
    if (reader.stopped) break;
  }
  const end = reader.end();
  yield* between(ctx, read.take(reader.drain()));
  yield* between(ctx, read.finish(end));
  return { complete: end.kind === 'complete', cursor: {} };
}

function* between(
  ctx: PullContext<CtfConfig, CtfSecrets>,
  pages: Iterable<PulledPage>,
): Generator<PulledPage> {
  for (const page of pages) {
    stopIfAborted(ctx.signal, ctx.file?.fileName ?? 'the CTF');
    yield page;
  }
}

function uploaded(ctx: PullContext<CtfConfig, CtfSecrets>): UploadedFile {
  if (ctx.file) return ctx.file;
  throw new CtfFileError(
    'config',
    'file_missing',
    'No CTF has been uploaded for this source. Upload the CTF .xml file and run it again.',
  );
}

/** The saved checkpoint, unless it cannot be read or belongs to another upload. */
function resumePoint(
  ctx: PullContext<CtfConfig, CtfSecrets>,
  file: UploadedFile,
): CtfCheckpoint | null {
  if (ctx.resumeFrom === null) return null;
  const parsed = ctfCheckpointSchema.safeParse(ctx.resumeFrom);
  if (parsed.success && parsed.data.fileBytes === file.byteSize) return parsed.data;
  ctx.log({
    level: 'warn',
    code: 'ctf_checkpoint_ignored',
    message:
      'The saved place in the file does not fit this upload, so it is read from the start; ' +
      'pupils already staged are matched again rather than added twice.',
  });
  return null;
}
