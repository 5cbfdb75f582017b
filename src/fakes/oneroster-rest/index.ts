export { type CollectionName, orgIdOf, scaleIdOf, sessionIdOf } from './data.ts';
export type {
  FakeEndpoint,
  FaultRule,
  OneRosterFaults,
  RemoveFault,
  SlowFault,
  StatusFault,
} from './faults.ts';
export {
  ALL_SCOPES,
  DEFAULT_CLIENT_ID,
  DEFAULT_CLIENT_SECRET,
  type OneRosterRestFake,
  type OneRosterRestFakeOptions,
  type ScopeSuffix,
  type SeenRequest,
  startOneRosterRestFake,
} from './server.ts';
