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
