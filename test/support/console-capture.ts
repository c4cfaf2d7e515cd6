const METHODS = ['log', 'info', 'warn', 'error', 'debug'] as const;

/**
 * Runs `run` while recording what goes through `console`, where libraries such as TypeORM log
 * past the app's own logger. The output still reaches the terminal.
 */
export async function captureConsole<T>(
  run: () => Promise<T>,
): Promise<{ result: T; output: string }> {
  const lines: string[] = [];
  const saved = METHODS.map(
    (method) => [method, Object.getOwnPropertyDescriptor(console, method)!] as const,
  );
  for (const [method, descriptor] of saved) {
    const original = descriptor.value as (...parts: unknown[]) => void;
    console[method] = (...parts: unknown[]) => {
      lines.push(parts.map((part) => (typeof part === 'string' ? part : String(part))).join(' '));
      original.apply(console, parts);
    };
  }
  try {
    const result = await run();
    return { result, output: lines.join('\n') };
  } finally {
    for (const [method, descriptor] of saved) Object.defineProperty(console, method, descriptor);
  }
}

/** What {@link startOutputCapture} recorded so far, and how to stop recording. */
export interface OutputCapture {
  /** Everything: console calls and raw writes to stdout and stderr (the test runner's too). */
  text(): string;
  /** Only what went through `console`. */
  consoleText(): string;
  stop(): void;
}

/**
 * Records, until stopped, everything written through `console` and straight to
 * `process.stdout`/`process.stderr` (where some libraries write past any logger), for a check
 * that spans several tests. The output still reaches the terminal.
 */
export function startOutputCapture(): OutputCapture {
  const chunks: string[] = [];
  const consoleLines: string[] = [];
  const restore: (() => void)[] = [];
  for (const method of METHODS) {
    const descriptor = Object.getOwnPropertyDescriptor(console, method)!;
    const original = descriptor.value as (...parts: unknown[]) => void;
    console[method] = (...parts: unknown[]) => {
      consoleLines.push(
        parts.map((part) => (typeof part === 'string' ? part : String(part))).join(' '),
      );
      original.apply(console, parts);
    };
    restore.push(() => Object.defineProperty(console, method, descriptor));
  }
  for (const stream of [process.stdout, process.stderr]) {
    const own = Object.getOwnPropertyDescriptor(stream, 'write');
    const original = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    stream.write = (chunk: unknown, ...rest: unknown[]) => {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString());
      return original(chunk, ...rest);
    };
    restore.push(() => {
      if (own) Object.defineProperty(stream, 'write', own);
      else delete (stream as { write?: unknown }).write;
    });
  }
  return {
    text: () => [...consoleLines, ...chunks].join('\n'),
    consoleText: () => consoleLines.join('\n'),
    stop: () => restore.forEach((undo) => undo()),
  };
}
