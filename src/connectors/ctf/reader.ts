import { SaxesParser } from 'saxes';
import type { RecordProblem } from '../contract.ts';
import { HEADER_FIELDS, PUPIL_FIELDS, PUPIL_GROUPS } from './capture.ts';
import { CtfFileError } from './failure.ts';
import { problem } from './problems.ts';
import { type CtfHeader, emptyHeader, emptyPupil, type PupilRecord } from './record.ts';

/**
 * Streams a CTF through saxes, one pupil at a time; the document is never built whole. saxes
 * does not read a DTD, so no entity is ever expanded and nothing a DTD names is ever fetched:
 * an XXE or "billion laughs" file can do no harm here, and we say that it was ignored.
 */

export type ReaderEvent =
  | { kind: 'header'; header: CtfHeader }
  | { kind: 'pupil'; record: PupilRecord }
  | { kind: 'problem'; problem: RecordProblem };

/** How the file ended: read to its close, cut short, or broken part-way. */
export type ReaderEnd =
  | { kind: 'complete' }
  | { kind: 'truncated'; line: number }
  | { kind: 'malformed'; line: number; column: number; reason: string };

const ROOT = 'CTfile';
const HEADER = `${ROOT}/Header`;
const PUPIL = `${ROOT}/CTFpupilData/Pupil`;
const HEADER_PREFIX = `${HEADER}/`;
const PUPIL_PREFIX = `${PUPIL}/`;
// saxes prefixes its messages with "line:column: ".
const SAXES_POSITION = /^\d+:\d+:\s*/;

interface Capture {
  path: string;
  relative: string;
  text: string;
  unexpanded: boolean;
}

class StopReading extends Error {}

export class CtfReader {
  readonly #location: string;
  readonly #parser = new SaxesParser({ position: true });
  readonly #paths: string[] = [];
  #events: ReaderEvent[] = [];
  #header: CtfHeader | null = null;
  #pupil: PupilRecord | null = null;
  #capture: Capture | null = null;
  #pupils = 0;
  #sawRoot = false;
  #broken: Extract<ReaderEnd, { kind: 'malformed' }> | null = null;

  constructor(location: string) {
    this.#location = location;
    this.#parser.on('opentag', (tag) => this.#open(tag));
    this.#parser.on('closetag', () => this.#close());
    this.#parser.on('text', (text) => this.#text(text));
    this.#parser.on('cdata', (text) => this.#text(text));
    this.#parser.on('doctype', () => this.#doctype());
    this.#parser.on('error', (error) => this.#error(error));
  }

  /** True once the XML broke: nothing after that point can be trusted. */
  get stopped(): boolean {
    return this.#broken !== null;
  }

  write(text: string): void {
    if (this.#broken) return;
    try {
      this.#parser.write(text);
    } catch (error) {
      if (!(error instanceof StopReading)) throw error;
    }
  }

  /** What the text written so far completed, in file order. */
  drain(): ReaderEvent[] {
    const events = this.#events;
    this.#events = [];
    return events;
  }

  end(): ReaderEnd {
    if (this.#broken) return this.#broken;
    if (!this.#sawRoot) {
      throw new CtfFileError(
        'bad_data',
        'ctf_empty',
        `"${this.#location}" has no XML element in it, so it is not a Common Transfer File. ` +
          "Export the CTF from the school's MIS again and upload that file.",
      );
    }
    if (this.#paths.length > 0) return { kind: 'truncated', line: this.#parser.line };
    this.#closeParser();
    return this.#broken ?? { kind: 'complete' };
  }

  #closeParser(): void {
    try {
      this.#parser.close();
    } catch (error) {
      if (!(error instanceof StopReading)) throw error;
    }
  }

  #open(tag: { name: string }): void {
    const parent = this.#paths.at(-1);
    const path = parent === undefined ? tag.name : `${parent}/${tag.name}`;
    if (parent === undefined) this.#root(tag.name);
    this.#paths.push(path);

    if (path === PUPIL) {
      this.#pupil = emptyPupil(this.#pupils, this.#parser.line);
      this.#pupils += 1;
      return;
    }
    if (path === HEADER) this.#header = emptyHeader();
    const relative = this.#relative(path);
    if (relative === null) return;
    if (this.#pupil) PUPIL_GROUPS.get(relative)?.(this.#pupil, this.#parser.line);
    if (this.#isField(relative)) this.#capture = { path, relative, text: '', unexpanded: false };
  }

  #close(): void {
    const path = this.#paths.pop();
    if (this.#capture && this.#capture.path === path) this.#keep(this.#capture);
    if (path === PUPIL && this.#pupil) {
      this.#events.push({ kind: 'pupil', record: this.#pupil });
      this.#pupil = null;
    } else if (path === HEADER && this.#header) {
      this.#events.push({ kind: 'header', header: this.#header });
    }
  }

  #text(text: string): void {
    if (this.#capture) this.#capture.text += text;
  }

  #keep(capture: Capture): void {
    this.#capture = null;
    const text = capture.text.trim();
    if (capture.unexpanded) {
      this.#unexpanded(capture.relative);
      return;
    }
    if (text === '') return;
    if (this.#pupil) PUPIL_FIELDS.get(capture.relative)?.(this.#pupil, text);
    else if (this.#header) HEADER_FIELDS.get(capture.relative)?.(this.#header, text);
  }

  #relative(path: string): string | null {
    if (this.#pupil && path.startsWith(PUPIL_PREFIX)) return path.slice(PUPIL_PREFIX.length);
    if (!this.#pupil && path.startsWith(HEADER_PREFIX)) return path.slice(HEADER_PREFIX.length);
    return null;
  }

  #isField(relative: string): boolean {
    return this.#pupil ? PUPIL_FIELDS.has(relative) : HEADER_FIELDS.has(relative);
  }

  #root(name: string): void {
    this.#sawRoot = true;
    if (name === ROOT) return;
    throw new CtfFileError('bad_data', 'ctf_wrong_root', wrongRootMessage(this.#location, name));
  }

  #doctype(): void {
    const place = { location: this.#location, line: this.#parser.line };
    this.#events.push({
      kind: 'problem',
      problem: problem(
        place,
        null,
        'ctf_doctype_ignored',
        'The file declares a document type (<!DOCTYPE ...>), which a CTF never has. It was ' +
          'ignored: no entity it declares was expanded and nothing it refers to was opened. ' +
          "If the file did not come straight from a school's MIS or S2S, check where it came from.",
      ),
    });
  }

  #unexpanded(relative: string): void {
    if (this.#pupil) {
      this.#pupil.unexpanded.push(relative);
      return;
    }
    const place = { location: this.#location, line: this.#parser.line };
    const message =
      `The header element ${relative} uses an entity (&name;), which is never expanded, ` +
      'so its text was not read.';
    this.#events.push({
      kind: 'problem',
      problem: problem(place, `Header/${relative}`, 'xml_entity_unexpanded', message),
    });
  }

  // An entity saxes does not know (one a DTD would declare) is reported and left as written;
  // the field it is in is then not kept. Any other error means the XML is broken.
  #error(error: Error): void {
    const reason = error.message.replace(SAXES_POSITION, '');
    if (/entity/.test(reason)) {
      if (this.#capture) this.#capture.unexpanded = true;
      return;
    }
    const { line, column } = this.#parser;
    this.#broken = {
      kind: 'malformed',
      line,
      column: column + 1,
      reason: reason.replace(/\.$/, ''),
    };
    throw new StopReading(reason);
  }
}

function wrongRootMessage(location: string, name: string): string {
  const root = name.length > 40 ? `${name.slice(0, 40)}...` : name;
  if (root === 'ATfile') {
    return (
      `"${location}" is an Admissions Transfer File (its root element is <ATfile>), which ` +
      'carries no assessment results. Upload the Common Transfer File (CTF) instead.'
    );
  }
  if (root.toLowerCase() === 'html') {
    return (
      `"${location}" is a web page, not a Common Transfer File: perhaps a login or error page ` +
      "was saved instead of the download. Download the CTF from the school's MIS or S2S again."
    );
  }
  return (
    `"${location}" is XML but not a Common Transfer File: its root element is <${root}>, where ` +
    "a CTF has <CTfile>. Export a CTF from the school's MIS (or download it from S2S) and " +
    'upload that file.'
  );
}
