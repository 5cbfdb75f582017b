import { randomInt } from 'node:crypto';
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

// No 0/O, 1/l/I: a first password is often read out or copied from a screen by hand.
const PASSWORD_ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';

/** A first password for a new user: four groups of four random characters, about 80 bits. */
export function generatePassword(): string {
  const group = () =>
    Array.from({ length: 4 }, () => PASSWORD_ALPHABET[randomInt(PASSWORD_ALPHABET.length)]).join(
      '',
    );
  return [group(), group(), group(), group()].join('-');
}
