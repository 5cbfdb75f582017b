import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt, isNull, ne, sql } from 'drizzle-orm';
import { type Actor, recordAudit } from '../audit.ts';
import type { Db, Executor } from '../db/index.ts';
import { rows } from '../db/rows.ts';
import { apiTokens, roleGrants, sessions, signInAttempts, users } from '../db/schema.ts';
import { hashPassword, passwordMatches, passwordProblem } from './passwords.ts';
import { type Grant, grantProblem, type Principal } from './principal.ts';

/**
 * People, their roles, their console sessions and their API tokens. Session cookies and tokens are
 * random; only their SHA-256 is stored, so a copy of the database gives no way in.
 */

export class AccessError extends Error {
  override name = 'AccessError';
  constructor(
    message: string,
    /** The form field the refusal is about, where there is one. */
    readonly field: string | null = null,
  ) {
    super(message);
  }
}

const LAST_ADMIN = 'The trust needs at least one trust admin: make someone else one first.';

export interface NewUser {
  email: string;
  displayName: string;
  password: string | null;
  grants: Grant[];
}

export async function createUser(db: Db, actor: Actor, input: NewUser) {
  const email = input.email.trim();
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) {
    throw new AccessError(`"${email}" is not an email address.`, 'email');
  }
  if (input.displayName.trim() === '') {
    throw new AccessError('Give their name, as colleagues know them.', 'displayName');
  }
  if (input.password !== null) {
    const problem = passwordProblem(input.password);
    if (problem) throw new AccessError(problem, 'password');
  }
  for (const grant of input.grants) refuseBadGrant(grant);
  const passwordHash = input.password === null ? null : await hashPassword(input.password);
  return db.transaction(async (tx) => {
    const [existing] = await tx
      .select({ id: users.id })
      .from(users)
      .where(sql`lower(${users.email}) = lower(${email})`);
    if (existing) {
      throw new AccessError(`There is already a user with the email ${email}.`, 'email');
    }
    const [user] = await tx
      .insert(users)
      .values({ email, displayName: input.displayName.trim(), passwordHash })
      .returning();
    if (input.grants.length > 0) {
      await tx.insert(roleGrants).values(input.grants.map((g) => ({ ...g, userId: user!.id })));
    }
    await recordAudit(tx, actor, {
      action: 'user.create',
      entityType: 'user',
      entityId: user!.id,
      details: { email, grants: input.grants },
    });
    return user!;
  });
}

/** Gives a user one more role; a role they already hold is refused, not doubled. */
export async function grantRole(db: Db, actor: Actor, userId: string, grant: Grant) {
  refuseBadGrant(grant);
  return db.transaction(async (tx) => {
    const held = await tx.select().from(roleGrants).where(eq(roleGrants.userId, userId));
    const same = held.some(
      (g) =>
        g.role === grant.role && g.schoolId === grant.schoolId && g.subjectId === grant.subjectId,
    );
    if (same) throw new AccessError('They already have that role.', 'role');
    const [created] = await tx
      .insert(roleGrants)
      .values({ ...grant, userId })
      .returning();
    await recordAudit(tx, actor, {
      action: 'user.grant_role',
      entityType: 'user',
      entityId: userId,
      schoolId: grant.schoolId,
      details: { grant },
    });
    return created!;
  });
}

/**
 * Takes one role from a user. The trust always keeps an active trust admin, so that somebody can
 * still manage schools and users.
 */
export async function revokeRole(db: Db, actor: Actor, userId: string, grantId: number) {
  return db.transaction(async (tx) => {
    const [grant] = await tx
      .select()
      .from(roleGrants)
      .where(and(eq(roleGrants.id, grantId), eq(roleGrants.userId, userId)));
    if (!grant) throw new AccessError('They do not have that role any more.');
    if (grant.role === 'trust_admin' && (await otherActiveAdmins(tx, userId)) === 0) {
      throw new AccessError(LAST_ADMIN);
    }
    await tx.delete(roleGrants).where(eq(roleGrants.id, grant.id));
    const { role, schoolId, subjectId } = grant;
    await recordAudit(tx, actor, {
      action: 'user.revoke_role',
      entityType: 'user',
      entityId: userId,
      schoolId,
      details: { grant: { role, schoolId, subjectId } },
    });
  });
}

/**
 * Stops a user signing in: their sessions end at once and their API tokens are revoked. Their
 * name stays on what they did, in the audit log and on the decisions they made.
 */
export async function deactivateUser(db: Db, actor: Actor, userId: string) {
  if (actor.userId === userId) {
    throw new AccessError('You cannot deactivate yourself: ask another trust admin.');
  }
  return db.transaction(async (tx) => {
    const [admin] = await tx
      .select({ id: roleGrants.id })
      .from(roleGrants)
      .where(and(eq(roleGrants.userId, userId), eq(roleGrants.role, 'trust_admin')));
    if (admin && (await otherActiveAdmins(tx, userId)) === 0) throw new AccessError(LAST_ADMIN);
    const [user] = await tx
      .update(users)
      .set({ active: false })
      .where(and(eq(users.id, userId), eq(users.active, true)))
      .returning({ id: users.id, email: users.email });
    if (!user) throw new AccessError('That user is already deactivated.');
    const ended = await tx
      .delete(sessions)
      .where(eq(sessions.userId, userId))
      .returning({ userId: sessions.userId });
    const revoked = await tx
      .update(apiTokens)
      .set({ revokedAt: new Date() })
      .where(and(eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt)))
      .returning({ id: apiTokens.id });
    await recordAudit(tx, actor, {
      action: 'user.deactivate',
      entityType: 'user',
      entityId: userId,
      details: { email: user.email, sessionsEnded: ended.length, tokensRevoked: revoked.length },
    });
  });
}

function refuseBadGrant(grant: Grant) {
  const problem = grantProblem(grant);
  if (problem) throw new AccessError(problem.message, problem.field);
}

async function otherActiveAdmins(executor: Executor, userId: string): Promise<number> {
  const [row] = await executor
    .select({ n: sql<number>`count(distinct ${users.id})::int` })
    .from(roleGrants)
    .innerJoin(users, eq(users.id, roleGrants.userId))
    .where(and(eq(roleGrants.role, 'trust_admin'), eq(users.active, true), ne(users.id, userId)));
  return row?.n ?? 0;
}

export async function loadPrincipal(executor: Executor, userId: string): Promise<Principal | null> {
  const [found] = await rows<PrincipalRow>(
    executor,
    sql`select ${principalColumns} from users u where u.id = ${userId} and u.active`,
  );
  return found ? principalFrom(found) : null;
}

interface PrincipalRow extends Record<string, unknown> {
  id: string;
  email: string;
  display_name: string;
  grants: Principal['grants'] | string;
}

/** A user and every role they hold, in one row: asked for on every request. */
const principalColumns = sql`u.id, u.email, u.display_name,
  coalesce((select json_agg(json_build_object('role', g.role, 'schoolId', g.school_id,
    'subjectId', g.subject_id)) from role_grants g where g.user_id = u.id), '[]') as grants`;

function principalFrom(row: PrincipalRow): Principal {
  // postgres.js parses json; PGlite may hand it over as text.
  const grants = typeof row.grants === 'string' ? JSON.parse(row.grants) : row.grants;
  return { user: { id: row.id, email: row.email, displayName: row.display_name }, grants };
}

export function actorOf(principal: Principal): Actor {
  return { userId: principal.user.id, label: principal.user.displayName };
}

// ---------------------------------------------------------------------------------------------
// Signing in

const WINDOW_MS = 15 * 60_000;
const MAX_FAILURES_PER_EMAIL = 5;
const MAX_FAILURES_PER_IP = 20;

export type SignIn =
  | { ok: true; userId: string }
  | { ok: false; reason: 'invalid' | 'throttled'; message: string };

/** Checks a password, refusing after repeated failures for one email or one address. */
export async function signIn(db: Db, email: string, password: string, ip: string): Promise<SignIn> {
  const emailKey = email.trim().toLowerCase();
  const since = new Date(Date.now() - WINDOW_MS);
  const [failures] = await db
    .select({
      byEmail: sql<number>`count(*) filter (where ${signInAttempts.emailKey} = ${emailKey})::int`,
      byIp: sql<number>`count(*) filter (where ${signInAttempts.ip} = ${ip})::int`,
    })
    .from(signInAttempts)
    .where(and(eq(signInAttempts.succeeded, false), gt(signInAttempts.at, since)));
  if (
    (failures?.byEmail ?? 0) >= MAX_FAILURES_PER_EMAIL ||
    (failures?.byIp ?? 0) >= MAX_FAILURES_PER_IP
  ) {
    return {
      ok: false,
      reason: 'throttled',
      message: 'Too many attempts to sign in. Wait 15 minutes, or ask the trust admin to help.',
    };
  }

  const [user] = await db
    .select({ id: users.id, passwordHash: users.passwordHash, active: users.active })
    .from(users)
    .where(sql`lower(${users.email}) = ${emailKey}`);
  const matches =
    user?.active === true && user.passwordHash !== null
      ? await passwordMatches(user.passwordHash, password)
      : false;
  await db.insert(signInAttempts).values({ emailKey, ip, succeeded: matches });
  if (!matches || !user) {
    return { ok: false, reason: 'invalid', message: 'That email and password do not match.' };
  }
  await db.update(users).set({ lastSignInAt: new Date() }).where(eq(users.id, user.id));
  return { ok: true, userId: user.id };
}

// ---------------------------------------------------------------------------------------------
// Sessions and tokens

export function digest(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

function randomSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** A new session: the cookie value to send, which is never stored as it is. */
export async function startSession(db: Db, userId: string, hours: number) {
  const secret = randomSecret();
  await db.insert(sessions).values({
    tokenHash: digest(secret),
    userId,
    csrfToken: randomSecret(),
    expiresAt: new Date(Date.now() + hours * 3_600_000),
  });
  return secret;
}

/** The live session a cookie names, with its active user and their roles, in one query. */
export async function sessionPrincipal(db: Db, secret: string) {
  const [found] = await rows<PrincipalRow & { csrf_token: string }>(
    db,
    sql`
    select ${principalColumns}, s.csrf_token
    from sessions s join users u on u.id = s.user_id and u.active
    where s.token_hash = ${digest(secret)} and s.expires_at > now()`,
  );
  return found ? { principal: principalFrom(found), csrfToken: found.csrf_token } : null;
}

export async function endSession(db: Db, secret: string) {
  await db.delete(sessions).where(eq(sessions.tokenHash, digest(secret)));
}

/** An API token for scripts and the trust's portal, shown once; returns the token itself. */
export async function createApiToken(db: Db, actor: Actor, userId: string, name: string) {
  const secret = `nss_${randomSecret()}`;
  const [token] = await db
    .insert(apiTokens)
    .values({ userId, name, tokenHash: digest(secret) })
    .returning({ id: apiTokens.id });
  await recordAudit(db, actor, {
    action: 'api_token.create',
    entityType: 'api_token',
    entityId: token!.id,
    details: { userId, name },
  });
  return secret;
}

/** The user an API token acts for, with their roles, in one query; null for a dead token. */
export async function tokenPrincipal(db: Db, secret: string): Promise<Principal | null> {
  const [found] = await rows<PrincipalRow & { token_id: string; last_used_at: string | null }>(
    db,
    sql`
    select ${principalColumns}, t.id as token_id, t.last_used_at::text as last_used_at
    from api_tokens t join users u on u.id = t.user_id and u.active
    where t.token_hash = ${digest(secret)} and t.revoked_at is null
      and (t.expires_at is null or t.expires_at > now())`,
  );
  if (!found) return null;
  // "Last used" to the minute: a script's burst of requests writes it once, not every time.
  const now = new Date();
  const last = found.last_used_at ? Date.parse(found.last_used_at) : 0;
  if (now.getTime() - last > 60_000) {
    await db.update(apiTokens).set({ lastUsedAt: now }).where(eq(apiTokens.id, found.token_id));
  }
  return principalFrom(found);
}
