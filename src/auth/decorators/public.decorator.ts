import { SetMetadata } from '@nestjs/common';

/** Metadata key read by the Bearer guard. */
export const IS_PUBLIC_KEY = 'otp-auth:isPublic';

/** Opens a route or controller to callers without a Bearer token. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC_KEY, true);
