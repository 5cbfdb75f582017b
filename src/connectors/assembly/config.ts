import { z } from 'zod';

/** The hosts Assembly documents (research 4): the API and the OAuth server live apart. */
export const ASSEMBLY_HOSTS = {
  production: {
    api: 'https://api.assembly.education',
    auth: 'https://platform.assembly.education',
  },
  sandbox: {
    api: 'https://api-sandbox.assembly.education',
    auth: 'https://sandbox.assembly.education',
  },
} as const;

/** Assembly's documented limit is 600 requests per 5 minutes per token; we keep a margin. */
export const DEFAULT_RATE_LIMIT = { requests: 570, perMs: 300_000 };

// The public docs name no scopes for these endpoints (research 8 leaves them open), so the names
// a school is told to grant are settings. They are only ever quoted in messages.
const DEFAULT_SCOPES = {
  school: 'school',
  students: 'students',
  demographics: 'students.demographics',
  assessments: 'assessments',
  results: 'results',
  subjects: 'subjects',
};

const scopeName = z.string().trim().min(1).max(80);

const httpSchema = z
  .object({
    retry: z
      .object({
        attempts: z.int().min(1).max(10),
        baseDelayMs: z.int().min(0).max(60_000),
        maxDelayMs: z.int().min(0).max(600_000),
      })
      .partial()
      .optional(),
    timeouts: z
      .object({
        connectMs: z.int().min(1).max(120_000),
        headersMs: z.int().min(1).max(600_000),
        bodyMs: z.int().min(1).max(600_000),
      })
      .partial()
      .optional(),
    // Above the 5-minute window of the rate limit, so that a request waiting for room in the
    // budget is not given up on before the room comes.
    deadlineMs: z.int().min(1000).max(1_800_000).default(330_000),
    maxConcurrent: z.int().min(1).max(8).default(1),
  })
  .default({ deadlineMs: 330_000, maxConcurrent: 1 });

/** What an Assembly source is told; only the client id is required. */
export const assemblyConfigSchema = z.object({
  environment: z.enum(['production', 'sandbox']).default('production'),
  /** Overrides the environment's API host, for a proxy or a test server. */
  apiUrl: z.url().optional(),
  /** Overrides the environment's OAuth host. */
  authUrl: z.url().optional(),
  /** The Next Steps Sync app's client id in the Assembly Platform. Not a secret. */
  clientId: z.string().trim().min(1).max(200),
  /** Assembly's own id for the school, as the token response gives it; checked when set. */
  schoolId: z.string().regex(/^\d+$/).optional(),
  /** The school's URN, checked against Assembly's school details when set. */
  schoolUrn: z
    .string()
    .regex(/^\d{6}$/)
    .optional(),
  /** Sent in the Accept header; 1.1 moved pagination into headers (research 4). */
  apiVersion: z
    .string()
    .regex(/^\d+\.\d+$/)
    .default('1.1'),
  /** Pupils per page; Assembly allows up to 1,500. */
  pageSize: z.int().min(1).max(1500).default(500),
  resultsPageSize: z.int().min(1).max(1500).default(1500),
  /** How many student ids one results request names; Assembly's own limit is not documented. */
  studentsPerResultsRequest: z.int().min(1).max(500).default(100),
  /**
   * Facet names whose results are taken. Attainment ("achieved") only, unless the trust maps
   * targets, baselines or predictions on purpose.
   */
  facets: z.array(z.string().trim().min(1).max(40)).min(1).max(10).default(['achieved']),
  /** The result field naming the facet: the docs page says facet_id, the SDKs aspect_id. */
  facetField: z
    .string()
    .regex(/^[a-z_]+$/)
    .default('facet_id'),
  /** Take legal names instead of preferred ones. */
  legalNames: z.boolean().default(false),
  scopes: z
    .object({
      school: scopeName,
      students: scopeName,
      demographics: scopeName,
      assessments: scopeName,
      results: scopeName,
      subjects: scopeName,
    })
    .partial()
    .default({})
    .transform((given) => ({ ...DEFAULT_SCOPES, ...given })),
  /** An incremental pull asks for changes since the last start less this, for clock skew. */
  deltaOverlapSeconds: z.int().min(0).max(86_400).default(300),
  rateLimit: z
    .object({ requests: z.int().min(1).max(10_000), perMs: z.int().min(1).max(3_600_000) })
    .default(DEFAULT_RATE_LIMIT),
  http: httpSchema,
});

export type AssemblyConfig = z.infer<typeof assemblyConfigSchema>;
export type AssemblyConfigInput = z.input<typeof assemblyConfigSchema>;
export type ScopeNames = AssemblyConfig['scopes'];

/**
 * The school token comes from the authorisation-code flow when the school approves the app;
 * the refresh token renews it (it lasts 24 hours, research 6.6). The access token may be left
 * out: the first request then refreshes.
 */
export const assemblySecretsSchema = z.strictObject({
  clientSecret: z.string().min(1).max(500),
  refreshToken: z.string().min(1).max(2000),
  accessToken: z.string().min(1).max(2000).optional(),
});

export type AssemblySecrets = z.infer<typeof assemblySecretsSchema>;

/** The API and OAuth origins for a config, without trailing slashes. */
export function hostsOf(config: AssemblyConfig): { api: string; auth: string } {
  const defaults = ASSEMBLY_HOSTS[config.environment];
  return {
    api: trimSlash(config.apiUrl ?? defaults.api),
    auth: trimSlash(config.authUrl ?? defaults.auth),
  };
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
