import { hash, verify } from '@node-rs/argon2';

/** Passwords are hashed with argon2id, a memory-hard function, at its library's defaults. */
export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

export async function passwordMatches(hashed: string, password: string): Promise<boolean> {
  try {
    return await verify(hashed, password);
  } catch {
    return false;
  }
}

/** Why a new password is refused, or null: long enough to resist guessing, per NCSC advice. */
export function passwordProblem(password: string): string | null {
  if (password.length < 12) return 'Use at least 12 characters: three random words work well.';
  if (password.length > 200) return 'Use at most 200 characters.';
  return null;
}
