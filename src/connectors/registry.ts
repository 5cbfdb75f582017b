import { arborConnector } from './arbor/index.ts';
import { assemblyConnector } from './assembly/index.ts';
import type { ConnectorKind } from './contract.ts';
import { ctfConnector } from './ctf/index.ts';
import { oneRosterCsvConnector } from './oneroster-csv/index.ts';
import { oneRosterRestConnector } from './oneroster-rest/index.ts';
import { spreadsheetConnector } from './spreadsheet/index.ts';
import { wondeConnector } from './wonde/index.ts';

export type AnyConnectorKind = ConnectorKind<unknown, unknown>;

/** Each kind checks its own config and secrets, so the registry can hold them all as one type. */
function erase<Config, Secrets>(kind: ConnectorKind<Config, Secrets>): AnyConnectorKind {
  return kind as unknown as AnyConnectorKind;
}

/** Every connector kind the service knows, by the name stored on a source. */
const KINDS: readonly AnyConnectorKind[] = [
  erase(wondeConnector),
  erase(assemblyConnector),
  erase(arborConnector),
  erase(oneRosterRestConnector),
  erase(oneRosterCsvConnector),
  erase(ctfConnector),
  erase(spreadsheetConnector),
];

const BY_NAME = new Map(KINDS.map((kind) => [kind.kind, kind]));

export function connectorKind(name: string): AnyConnectorKind | null {
  return BY_NAME.get(name) ?? null;
}

export function connectorKinds(): readonly AnyConnectorKind[] {
  return KINDS;
}
