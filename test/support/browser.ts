import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  chromium,
  type BrowserContext,
  type ConsoleMessage,
  type Locator,
  type Page,
} from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`); the tests never download a browser. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Where the screenshots go (`test-artifacts/` is ignored by git). */
export const ARTIFACT_DIR = fileURLToPath(
  new URL('../../../test-artifacts/browser/', import.meta.url),
);

/**
 * The host name the browser uses for the app, resolved to its loopback address by Chromium
 * itself. Not `localhost` on purpose: like a VM or a container's host seen over plain http, it
 * is not a secure context, so the pages are tested where browsers are the least lenient.
 */
export const APP_HOST = 'otp-auth.test';

/** Bounds on every browser step, so that a broken page fails the test instead of hanging it. */
const ACTION_TIMEOUT_MS = 15_000;
const LAUNCH_TIMEOUT_MS = 30_000;
const CLOSE_TIMEOUT_MS = 10_000;

/**
 * Console errors that do not come from the pages: Chromium reports that it ignores helmet's
 * Cross-Origin-Opener-Policy on an origin that is not https or localhost (it applies it on https).
 */
const UNRELATED_CONSOLE_ERRORS = [/Cross-Origin-Opener-Policy header has been ignored/];

/** True when Debian's Chromium is installed. */
export function chromiumInstalled(): boolean {
  return existsSync(CHROMIUM_PATH);
}

/**
 * A headless Chromium with a fresh profile, offline-friendly flags, and a record of everything
 * that went wrong in its pages: CSP violations, script errors, failed requests, console errors.
 */
export class BrowserSession {
  /** What went wrong in the pages, one line each; a test expects it to stay empty. */
  readonly problems: string[] = [];
  private constructor(
    readonly context: BrowserContext,
    private readonly profileDir: string,
  ) {}

  /** Starts Chromium with a profile of its own, removed by {@link close}. */
  static async launch(): Promise<BrowserSession> {
    const profileDir = mkdtempSync(join(tmpdir(), 'otp-auth-chromium-'));
    try {
      // launchPersistentContext passes the fresh profile as --user-data-dir (Playwright refuses
      // that flag in `args`).
      const context = await chromium.launchPersistentContext(profileDir, {
        executablePath: CHROMIUM_PATH,
        headless: true,
        timeout: LAUNCH_TIMEOUT_MS,
        viewport: { width: 1280, height: 900 },
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          `--host-resolver-rules=MAP ${APP_HOST} 127.0.0.1`,
        ],
      });
      context.setDefaultTimeout(ACTION_TIMEOUT_MS);
      context.setDefaultNavigationTimeout(ACTION_TIMEOUT_MS);
      mkdirSync(ARTIFACT_DIR, { recursive: true });
      return new BrowserSession(context, profileDir);
    } catch (error) {
      rmSync(profileDir, { recursive: true, force: true });
      throw new Error(`Chromium did not start from ${CHROMIUM_PATH}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  /** A new tab whose problems are recorded in {@link problems}. */
  async newPage(): Promise<Page> {
    const page = await this.context.newPage();
    page.on('console', (message: ConsoleMessage) => {
      const text = message.text();
      if (message.type() !== 'error') return;
      if (UNRELATED_CONSOLE_ERRORS.some((pattern) => pattern.test(text))) return;
      this.problems.push(`console error on ${page.url()}: ${text}`);
    });
    page.on('pageerror', (error) => {
      this.problems.push(`script error on ${page.url()}: ${error.message}`);
    });
    page.on('requestfailed', (request) => {
      this.problems.push(`request failed: ${request.url()} (${request.failure()?.errorText})`);
    });
    // Chromium fires this for every CSP violation, reported or not; the page keeps a list. A
    // string, as the tests are compiled without the DOM's types.
    await page.addInitScript(`
      window.cspViolations = [];
      document.addEventListener('securitypolicyviolation', (event) => {
        window.cspViolations.push(event.violatedDirective + ' blocked ' + (event.blockedURI || 'inline'));
      });
    `);
    return page;
  }

  /** The CSP violations a page has seen since it was loaded. */
  static cspViolations(page: Page): Promise<string[]> {
    return page.evaluate<string[]>('window.cspViolations');
  }

  /** Saves a screenshot of a page or an element as `test-artifacts/browser/<name>.png`. */
  async screenshot(target: Page | Locator, name: string): Promise<string> {
    const path = join(ARTIFACT_DIR, `${name}.png`);
    await target.screenshot({ path, animations: 'disabled' });
    return path;
  }

  /**
   * Saves a screenshot of the part of `page` from the top of `from` to the bottom of `to` (an
   * operation of Swagger UI down to the response it got, say), at full width.
   */
  async screenshotSpan(page: Page, from: Locator, to: Locator, name: string): Promise<string> {
    const [top, bottom] = await Promise.all([from.boundingBox(), to.boundingBox()]);
    if (!top || !bottom) throw new Error(`screenshot ${name}: an element is not visible`);
    const scrollY = await page.evaluate<number>('window.scrollY');
    const width = page.viewportSize()?.width ?? 1280;
    const path = join(ARTIFACT_DIR, `${name}.png`);
    await page.screenshot({
      path,
      fullPage: true,
      animations: 'disabled',
      clip: { x: 0, y: top.y + scrollY, width, height: bottom.y + bottom.height - top.y },
    });
    return path;
  }

  /** Closes Chromium (bounded in time) and removes the profile. */
  async close(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.context.close(),
        new Promise((resolve) => {
          timer = setTimeout(resolve, CLOSE_TIMEOUT_MS);
        }),
      ]);
    } finally {
      clearTimeout(timer);
      rmSync(this.profileDir, { recursive: true, force: true });
    }
  }
}
