export type { BudgetOptions } from './budget.ts';
export { createHttpClient, type ErrorDetails, type HttpClient } from './client.ts';
export {
  ConnectorError,
  type ConnectorErrorCategory,
  type ConnectorErrorCode,
  type ConnectorErrorInit,
  type Describe,
  isConnectorError,
  type Problem,
} from './errors.ts';
export type {
  BufferRequest,
  EmptyResponse,
  FullResponse,
  GetJsonOptions,
  HttpClientOptions,
  HttpEvent,
  HttpMethod,
  HttpResponse,
  JsonRequest,
  QueryValue,
  RequestBase,
  RequestOptions,
  StreamResponse,
  TextRequest,
  Timeouts,
} from './options.ts';
export { REDACTED, redactText, redactUrl } from './redact.ts';
export type { RetryPolicy } from './retry.ts';
