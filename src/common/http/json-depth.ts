/**
 * How deeply a request body may nest: an object or array counts one level. The API's bodies are
 * flat objects of strings, and a field that holds a small object or array (a client's mistake)
 * still gets its field error. Anything deeper is refused before class-transformer and
 * class-validator walk it: they recurse once per level, and the few thousand levels that fit in
 * 16 KiB (`{"email":[[[[…`) overflow their stack, a 500 with a stack trace per request.
 */
export const MAX_JSON_DEPTH = 8;

/**
 * Whether a parsed JSON value nests deeper than `max` levels. It walks with a stack of its own,
 * so measuring is safe at any depth, and it stops at the first level too many.
 */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const pending: [node: unknown, depth: number][] = [[value, 1]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [node, depth] = next;
    if (typeof node !== 'object' || node === null) continue;
    if (depth > max) return true;
    for (const child of Object.values(node)) pending.push([child, depth + 1]);
  }
  return false;
}
