import { dictionary } from '@zxcvbn-ts/language-common';

/**
 * About 49,000 passwords most seen in breaches, from zxcvbn-ts's maintained common dictionary,
 * lower-cased for a case-insensitive match.
 */
export const COMMON_PASSWORDS: ReadonlySet<string> = new Set(
  dictionary['passwords-common'].map((password) => password.toLowerCase()),
);
