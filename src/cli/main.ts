import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { eq } from 'drizzle-orm';
import { AccessError, createApiToken, createUser } from '../access/users.ts';
import { SYSTEM_ACTOR } from '../audit.ts';
import { openDatabase } from '../db/index.ts';
import { users } from '../db/schema.ts';
import { configOrExit } from '../service.ts';
import { seedReferenceData } from '../trust/seed.ts';

/**
 * The command line, for what must happen before anyone can sign in:
 *   npm run cli -- create-admin --email head.of.data@nexus.example --name "Sam Carter"
 *   npm run cli -- create-token --email head.of.data@nexus.example --name "trust portal"
 * The password comes from ADMIN_PASSWORD, or is made and printed once.
 */

const USAGE = [
  'usage:',
  '  npm run cli -- create-admin --email EMAIL --name "FULL NAME"',
  '  npm run cli -- create-token --email EMAIL --name "WHAT IT IS FOR"',
].join('\n');

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { email: { type: 'string' }, name: { type: 'string' } },
});

const command = positionals[0];
if (
  !command ||
  !values.email ||
  !values.name ||
  !['create-admin', 'create-token'].includes(command)
) {
  process.stderr.write(`${USAGE}\n`);
  process.exit(2);
}

const config = configOrExit();
const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
try {
  await seedReferenceData(database.db, new Date().toISOString().slice(0, 10));
  if (command === 'create-admin') {
    const password = process.env.ADMIN_PASSWORD || randomBytes(12).toString('base64url');
    const user = await createUser(database.db, SYSTEM_ACTOR, {
      email: values.email,
      displayName: values.name,
      password,
      grants: [{ role: 'trust_admin', schoolId: null, subjectId: null }],
    });
    const token = await createApiToken(database.db, SYSTEM_ACTOR, user.id, 'first admin');
    process.stdout.write(`Created trust admin ${user.email}.\n`);
    if (!process.env.ADMIN_PASSWORD) process.stdout.write(`Password (shown once): ${password}\n`);
    process.stdout.write(`API token (shown once): ${token}\n`);
  } else {
    const [user] = await database.db.select().from(users).where(eq(users.email, values.email));
    if (!user) throw new AccessError(`There is no user with the email ${values.email}.`);
    const token = await createApiToken(database.db, SYSTEM_ACTOR, user.id, values.name);
    process.stdout.write(`API token for ${user.email} (shown once): ${token}\n`);
  }
} catch (error) {
  if (!(error instanceof AccessError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exitCode = 1;
} finally {
  await database.close();
}
