import type { LoggerService } from '@nestjs/common';

/** Keeps every log line of an app under test, so tests can assert on what was (not) logged. */
export class CapturedLogger implements LoggerService {
  readonly lines: string[] = [];

  log(message: unknown, ...rest: unknown[]): void {
    this.capture('log', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.capture('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.capture('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.capture('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.capture('verbose', message, rest);
  }

  /** Everything logged, as one string. */
  text(): string {
    return this.lines.join('\n');
  }

  private capture(level: string, message: unknown, rest: unknown[]): void {
    const parts = [message, ...rest].map((part) =>
      typeof part === 'string'
        ? part
        : part instanceof Error
          ? `${part.message}\n${part.stack}`
          : JSON.stringify(part),
    );
    this.lines.push(`${level}: ${parts.join(' ')}`);
  }
}
