/** Longest User-Agent kept; real ones stay far below, longer ones are padding or an attack. */
export const MAX_USER_AGENT_LENGTH = 512;

/** The label of a session whose User-Agent names nothing this parser knows. */
export const UNKNOWN_CLIENT = 'Unknown client';

/**
 * Browsers, most specific first: Edge and Opera carry "Chrome" too, Chrome carries "Safari",
 * and Safari is only Safari when nothing before matched. A first-match list of the few families
 * people use, not a full parser: the label is a hint for the owner, never a decision.
 */
const BROWSERS: [name: string, pattern: RegExp][] = [
  ['Edge', /\bEdg(?:e|A|iOS)?\//],
  ['Opera', /\bOPR\/|\bOpera\b/],
  ['Samsung Internet', /\bSamsungBrowser\//],
  ['Firefox', /\b(?:Firefox|FxiOS)\//],
  ['Chrome', /\b(?:Chrome|CriOS)\//],
  ['Safari', /\bSafari\//],
];

/** Systems, most specific first: Android's User-Agent says "Linux", iOS's says "like Mac OS X". */
const SYSTEMS: [name: string, pattern: RegExp][] = [
  ['iPhone', /\biPhone\b/],
  ['iPad', /\biPad\b/],
  ['Android', /\bAndroid\b/],
  ['ChromeOS', /\bCrOS\b/],
  ['Windows', /\bWindows\b/],
  ['macOS', /\bMacintosh\b|\bMac OS X\b/],
  ['Linux', /\bLinux\b/],
];

/** Command-line tools and libraries, named by the product token they start with. */
const TOOLS: [name: string, pattern: RegExp][] = [
  ['curl', /^curl\//i],
  ['Wget', /^Wget\//i],
  ['HTTPie', /^HTTPie\//i],
  ['Postman', /^PostmanRuntime\//i],
  ['Insomnia', /^insomnia\//i],
  ['Python', /^python-requests\/|^python-httpx\/|^Python-urllib\//i],
  ['Node.js', /^node-fetch\b|^node\b|^undici\b|^axios\//i],
  ['Go', /^Go-http-client\//i],
  ['okhttp', /^okhttp\//i],
];

function firstMatch(table: [string, RegExp][], userAgent: string): string | undefined {
  return table.find(([, pattern]) => pattern.test(userAgent))?.[0];
}

/**
 * A short, human label for a User-Agent: "Firefox on Linux", "Safari on iPhone", "curl". Only
 * fixed names come out, never text of the header itself, so the label cannot carry what a
 * client chose to write there.
 */
export function userAgentLabel(userAgent: string | undefined): string {
  const text = (userAgent ?? '').slice(0, MAX_USER_AGENT_LENGTH);
  const tool = firstMatch(TOOLS, text);
  if (tool) return tool;
  const browser = firstMatch(BROWSERS, text);
  const system = firstMatch(SYSTEMS, text);
  if (browser && system) return `${browser} on ${system}`;
  return browser ?? system ?? UNKNOWN_CLIENT;
}
