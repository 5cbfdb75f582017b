export { type SpreadsheetConfig, spreadsheetConfigSchema } from './config.ts';
export { spreadsheetConnector } from './connector.ts';
export { SpreadsheetSourceError } from './failure.ts';
export { DEFAULT_SUBJECTS, type SubjectSpec } from './fields.ts';
export type { Layout, LayoutSetting } from './layout.ts';
export { MAX_FILE_BYTES } from './load.ts';
export {
  type ProblemCode,
  type ProblemLevel,
  problemLevel,
  SPREADSHEET_PROBLEMS,
} from './problems.ts';
export { DEFAULT_PAGE_SIZE, type ReadSpreadsheetOptions, readSpreadsheet } from './read.ts';
export { type BuildTemplateOptions, buildTemplate } from './template.ts';
