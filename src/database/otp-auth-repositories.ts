import { Inject, type Provider } from '@nestjs/common';
import type { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';
import { OTP_AUTH_ENTITIES } from './otp-auth.schema.js';

/**
 * otp-auth's repositories live under Symbol tokens of their own: TypeORM's default tokens are
 * strings such as `"UserRepository"`, which a host with its own `User` entity also uses.
 */
const REPOSITORY_TOKENS = new Map<unknown, symbol>(
  OTP_AUTH_ENTITIES.map((entity) => [entity, Symbol(`otp-auth:${entity.name}Repository`)]),
);

/** Injection token of `DataSource` the module uses, whichever connection it is. */
export const OTP_AUTH_DATA_SOURCE = Symbol('otp-auth:DataSource');

export function otpAuthRepositoryToken(entity: EntityTarget<ObjectLiteral>): symbol {
  const token = REPOSITORY_TOKENS.get(entity);
  if (!token)
    throw new Error(`Not an otp-auth entity: ${(entity as { name?: string }).name ?? '?'}`);
  return token;
}

/** Injects the repository of one of otp-auth's entities. */
export const InjectOtpAuthRepository = (entity: EntityTarget<ObjectLiteral>): ParameterDecorator =>
  Inject(otpAuthRepositoryToken(entity));

/** The data source alias and one repository provider per entity, on the given connection. */
export function otpAuthRepositoryProviders(dataSourceToken: unknown): Provider[] {
  return [
    { provide: OTP_AUTH_DATA_SOURCE, useExisting: dataSourceToken as string },
    ...OTP_AUTH_ENTITIES.map((entity) => ({
      provide: otpAuthRepositoryToken(entity),
      inject: [OTP_AUTH_DATA_SOURCE],
      useFactory: (dataSource: DataSource) => dataSource.getRepository(entity),
    })),
  ];
}

/** Every token {@link otpAuthRepositoryProviders} provides. */
export function otpAuthRepositoryTokens(): symbol[] {
  return [OTP_AUTH_DATA_SOURCE, ...REPOSITORY_TOKENS.values()];
}
