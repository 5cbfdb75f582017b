import { isIsoDate } from '../../domain/iso-date.ts';
import type { PullContext, PulledPage, RecordProblem, UploadedFile } from '../contract.ts';
import type { CtfConfig, CtfSecrets } from './config.ts';
import { type CtfCheckpoint, Pager } from './pages.ts';
import { problem } from './problems.ts';
import { readPupil } from './pupil.ts';
import type { ReaderEnd, ReaderEvent } from './reader.ts';
import type { CtfHeader } from './record.ts';
import type { FileFacts } from './status.ts';

/**
 * One read of a CTF: turns what the XML reader completes into pages, keeping only what a page
 * needs and the set of pupil keys already read, which finds a pupil listed twice.
 */
export class CtfRead {
  readonly #file: UploadedFile;
  readonly #ctx: PullContext<CtfConfig, CtfSecrets>;
  readonly #pager: Pager;
  readonly #seen = new Set<string>();
  #facts: FileFacts | null = null;
  #pupils = 0;
  #sentPupils = 0;
  #sentResults = 0;
  #problems = 0;

  constructor(
    file: UploadedFile,
    ctx: PullContext<CtfConfig, CtfSecrets>,
    resume: CtfCheckpoint | null,
  ) {
    this.#file = file;
    this.#ctx = ctx;
    this.#pager = new Pager(ctx.config.pageSize, file.byteSize, resume);
  }

  *take(events: ReaderEvent[]): Generator<PulledPage> {
    for (const event of events) {
      if (event.kind === 'header') this.#facts ??= this.#factsFrom(event.header);
      else if (event.kind === 'problem') this.#pager.fileProblem(event.problem);
      else yield* this.#count(this.#pupil(event.record));
    }
  }

  *finish(end: ReaderEnd): Generator<PulledPage> {
    const ending = this.#endProblem(end);
    if (ending) this.#pager.fileProblem(ending);
    yield* this.#count(this.#pager.finish());
    this.#ctx.log({
      level: end.kind === 'complete' ? 'info' : 'warn',
      code: 'ctf_read',
      message:
        `Read ${counted(this.#pupils, 'pupil')} from "${this.#file.fileName}"` +
        (end.kind === 'complete' ? ', to the end of the file' : ', until the file broke off') +
        `; sent ${counted(this.#sentPupils, 'pupil')} and ` +
        `${counted(this.#sentResults, 'result')} in this run, ` +
        `with ${counted(this.#problems, 'problem')}.`,
    });
  }

  #pupil(record: Parameters<typeof readPupil>[0]): Generator<PulledPage> {
    this.#pupils += 1;
    const reading = readPupil(record, this.#factsNow(), this.#ctx.config, this.#seen);
    return this.#pager.add(reading);
  }

  *#count(pages: Iterable<PulledPage>): Generator<PulledPage> {
    for (const pulled of pages) {
      if (pulled.page.kind === 'pupils') this.#sentPupils += pulled.page.pupils.length;
      if (pulled.page.kind === 'results') this.#sentResults += pulled.page.results.length;
      this.#problems += pulled.problems.length;
      yield pulled;
    }
  }

  /** The header, or what stands in for it when a file has none before its pupils. */
  #factsNow(): FileFacts {
    if (this.#facts) return this.#facts;
    this.#pager.fileProblem(
      problem(
        { location: this.#file.fileName, line: null },
        'Header',
        'ctf_header_missing',
        'The file has no <Header> before its pupils, so the date it was made is not known: ' +
          "disadvantage (Ever 6 FSM) was counted back from today's date, and missing FSM and " +
          'SEN histories were read as unknown.',
      ),
    );
    this.#facts = this.#fallbackFacts(today(), false);
    return this.#facts;
  }

  #factsFrom(header: CtfHeader): FileFacts {
    const date = header.dateTime?.slice(0, 10) ?? '';
    const madeOn = isIsoDate(date) ? date : today();
    if (madeOn !== date) this.#pager.fileProblem(this.#dateProblem(header.dateTime));
    const facts: FileFacts = {
      ...this.#fallbackFacts(madeOn, header.qualifier?.toLowerCase() === 'full'),
      sourceLea: header.sourceLea,
      sourceEstab: header.sourceEstab,
    };
    this.#logHeader(header, facts);
    return facts;
  }

  #fallbackFacts(madeOn: string, full: boolean): FileFacts {
    return {
      location: this.#file.fileName,
      madeOn,
      full,
      sourceLea: null,
      sourceEstab: null,
    };
  }

  #dateProblem(dateTime: string | null): RecordProblem {
    const written = dateTime === null ? 'has no DateTime' : `has the DateTime "${dateTime}"`;
    return problem(
      { location: this.#file.fileName, line: null },
      'Header/DateTime',
      'ctf_date_invalid',
      `The header ${written}, where a CTF writes YYYY-MM-DDThh:mm:ss, so disadvantage ` +
        "(Ever 6 FSM) was counted back from today's date instead of the date the file was made.",
    );
  }

  #logHeader(header: CtfHeader, facts: FileFacts): void {
    const school = header.schoolName ?? 'a school it does not name';
    const number = [header.sourceLea, header.sourceEstab].filter(Boolean).join('');
    const version = header.version ? `CTF ${header.version}` : 'a CTF with no version';
    this.#ctx.log({
      level: 'info',
      code: 'ctf_header',
      message:
        `"${this.#file.fileName}" is ${version} from ${school}` +
        (number ? ` (${number})` : '') +
        `, made on ${facts.madeOn}` +
        (header.qualifier ? ` (document qualifier "${header.qualifier}").` : '.'),
    });
    if (facts.full) return;
    this.#ctx.log({
      level: 'info',
      code: 'ctf_partial',
      message:
        'This CTF is not a full transfer, so a pupil without FSM or SEN history in it has ' +
        'disadvantage and SEN status left unknown rather than set to "no".',
    });
  }

  #endProblem(end: ReaderEnd): RecordProblem | null {
    const place = {
      location: this.#file.fileName,
      line: end.kind === 'complete' ? null : end.line,
    };
    const read = `The pupils before that point were read (${counted(this.#pupils, 'pupil')}).`;
    if (end.kind === 'truncated') {
      return problem(
        place,
        null,
        'ctf_truncated',
        `The file stops part-way, at line ${end.line}, before the CTF closes: it may have been ` +
          `cut short while downloading or uploading. ${read} Upload the whole file again.`,
      );
    }
    if (end.kind === 'malformed') {
      return problem(
        place,
        null,
        'ctf_malformed',
        `The XML is broken at line ${end.line}, column ${end.column} (${end.reason}), so the ` +
          `file was read only up to there. ${read} Ask for a fresh export of the CTF.`,
      );
    }
    if (this.#pupils > 0) return null;
    return problem(
      place,
      'CTFpupilData',
      'ctf_no_pupils',
      `"${this.#file.fileName}" is a CTF with no pupils in it. Check that the export from the ` +
        'MIS selected the pupils, and upload it again.',
    );
  }
}

function counted(count: number, noun: string): string {
  return `${count.toLocaleString('en-GB')} ${noun}${count === 1 ? '' : 's'}`;
}

function today(): string {
  return new Date().toISOString().slice(0, 10);
}
