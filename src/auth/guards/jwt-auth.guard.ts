import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { IS_PUBLIC_KEY } from '../decorators/public.decorator.js';
import { OTP_AUTH_JWT_STRATEGY } from './jwt.strategy.js';

/**
 * The Bearer guard. Registered globally it protects every route (secure by default) except
 * those marked {@link Public}.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard(OTP_AUTH_JWT_STRATEGY) {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(context: ExecutionContext) {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    return isPublic ? true : super.canActivate(context);
  }
}
