/** "2026-12-06 21:40:05 UTC": a time as the owner reads it in a mail, unambiguous in any time zone. */
export function mailTime(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
