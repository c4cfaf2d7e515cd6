import { Injectable, type Type } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  type ThrottlerModuleOptions,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import { RouteMemo } from './route-memo.js';

type MetadataTarget = Type<unknown> | ((...args: never[]) => unknown);

/** What was found on a route, one entry per key asked. */
type RouteAnswers = { key: unknown; answer: unknown }[];

/**
 * A Reflector that remembers what it found for a metadata key on a handler and its controller
 * (see {@link RouteMemo}). ThrottlerGuard asks for six keys on every request: about 5 % of the
 * event loop's instructions in a token refresh (callgrind).
 *
 * A route's answers are a short list searched with `===`, not a Map: the guard builds each key
 * anew on every call (`'THROTTLER:LIMIT' + name`), and a Map must hash that fresh string first,
 * about 1,500 instructions a lookup under callgrind, where comparing it with the few keys a route
 * is asked for mostly stops at their lengths.
 */
export class RememberingReflector extends Reflector {
  private readonly answers = new RouteMemo<RouteAnswers>();

  override getAllAndOverride(key: unknown, targets: MetadataTarget[]): unknown {
    const [handler, controller] = targets;
    if (targets.length !== 2 || handler === undefined || controller === undefined) {
      return super.getAllAndOverride(key, targets);
    }
    const answers =
      this.answers.get(controller, handler) ?? this.answers.set(controller, handler, []);
    for (const found of answers) if (found.key === key) return found.answer;
    const answer: unknown = super.getAllAndOverride(key, targets);
    answers.push({ key, answer });
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
