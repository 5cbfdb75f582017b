export type { Endpoint, Where, WondeFaults, WondeScope } from './faults.ts';
export { DEFAULT_SHAPES, type WondeShapes } from './render.ts';
export {
  DEFAULT_SCHOOL_ID,
  DEFAULT_TOKEN,
  type SeenRequest,
  startWondeFake,
  type WondeFake,
  type WondeFakeOptions,
  type WondeFakeSchool,
} from './server.ts';
export { type Extras, MISSING_ASPECT_ID, SchoolStore, type StudentRow } from './store.ts';
