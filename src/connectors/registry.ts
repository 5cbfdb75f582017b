import { assemblyConnector } from './assembly/index.ts';
import type { ConnectorKind } from './contract.ts';
import { spreadsheetConnector } from './spreadsheet/index.ts';

/** Every connector kind the service knows, by the name stored on a source. */
const KINDS: readonly ConnectorKind<unknown, unknown>[] = [
  assemblyConnector as unknown as ConnectorKind<unknown, unknown>,
  spreadsheetConnector as unknown as ConnectorKind<unknown, unknown>,
];

const BY_NAME = new Map(KINDS.map((kind) => [kind.kind, kind]));

export function connectorKind(name: string): ConnectorKind<unknown, unknown> | null {
  return BY_NAME.get(name) ?? null;
}

export function connectorKinds(): readonly ConnectorKind<unknown, unknown>[] {
  return KINDS;
}
