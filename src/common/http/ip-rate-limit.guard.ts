import { Injectable, type Type } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  type ThrottlerModuleOptions,
  type ThrottlerStorage,
} from '@nestjs/throttler';

type MetadataTarget = Type<unknown> | ((...args: never[]) => unknown);

/**
 * A Reflector that remembers what it found for a metadata key on a handler and its controller.
 * Route metadata is written by decorators when the classes are defined and does not change while
 * the app runs, yet ThrottlerGuard asks for six keys on every request, each walking
 * reflect-metadata's maps for the handler and then the class: about 5 % of the event loop's
 * instructions in a token refresh (callgrind).
 */
export class RememberingReflector extends Reflector {
  private readonly answers = new Map<
    unknown,
    WeakMap<MetadataTarget, WeakMap<MetadataTarget, unknown>>
  >();

  override getAllAndOverride(key: unknown, targets: MetadataTarget[]): unknown {
    const [handler, controller] = targets;
    if (targets.length !== 2 || handler === undefined || controller === undefined) {
      return super.getAllAndOverride(key, targets);
    }
    let byHandler = this.answers.get(key);
    if (!byHandler) this.answers.set(key, (byHandler = new WeakMap()));
    let byController = byHandler.get(handler);
    if (!byController) byHandler.set(handler, (byController = new WeakMap()));
    if (byController.has(controller)) return byController.get(controller);
    const answer: unknown = super.getAllAndOverride(key, targets);
    byController.set(controller, answer);
    return answer;
  }
}

/**
 * `RATE_LIMIT_PER_IP` on the public POST endpoints: @nestjs/throttler's guard, unchanged but for
 * where it reads its route metadata from (see {@link RememberingReflector}).
 */
@Injectable()
export class IpRateLimitGuard extends ThrottlerGuard {
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
  ) {
    super(options, storage, new RememberingReflector());
  }
}
