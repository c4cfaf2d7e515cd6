import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { withinDeadline } from '../common/within-deadline.js';
import { AtomicStore } from '../state/atomic-store.js';

const PING_TIMEOUT_MS = 2000;

/** Reports whether the state store (in process or Redis) answers. */
@Injectable()
export class StateHealthIndicator {
  constructor(
    private readonly store: AtomicStore,
    private readonly indicators: HealthIndicatorService,
  ) {}

  async isHealthy(key: string): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check(key);
    try {
      await withinDeadline(this.store.ping(), PING_TIMEOUT_MS);
      return indicator.up();
    } catch {
      return indicator.down();
    }
  }
}
