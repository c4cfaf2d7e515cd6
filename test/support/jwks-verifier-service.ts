import {
  Controller,
  Get,
  Inject,
  Injectable,
  Module,
  Req,
  UnauthorizedException,
  UseGuards,
  type CanActivate,
  type DynamicModule,
  type ExecutionContext,
  type INestApplication,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import { ApiClient } from './test-app.js';

/**
 * What a service that trusts otp-auth's access tokens knows of otp-auth: where its JWK Set is
 * published, its issuer and audience, and the algorithm it signs with. No secret, no code.
 */
export interface JwksVerifierOptions {
  jwksUrl: URL;
  issuer: string;
  audience: string;
  algorithms: string[];
  /** jose's cache of the key set, in milliseconds (its defaults: 10 minutes and 30 seconds). */
  cacheMaxAge: number;
  cooldownDuration: number;
}

/** The protected route of the second service. */
export const VERIFIER_PROTECTED_PATH = '/orders/mine';

/** What the second service answers on its protected route. */
export interface VerifierBody {
  sub?: string;
  statusCode?: number;
  /** Why a token was refused: jose's error code, so that a test sees the refusal it expects. */
  reason?: string;
}

const VERIFIER_OPTIONS = Symbol('JWKS_VERIFIER_OPTIONS');
const KEY_SET = Symbol('JWKS_VERIFIER_KEY_SET');

type KeySet = ReturnType<typeof createRemoteJWKSet>;
interface VerifierRequest {
  headers: { authorization?: string };
  claims?: JWTPayload;
}

/**
 * The second service's Bearer guard: jose's remote key set and `jwtVerify`, with the issuer,
 * audience and algorithm pinned, and the type claim checked (otp-auth signs its refresh and reset
 * tokens with the same key).
 */
@Injectable()
class JwksAccessGuard implements CanActivate {
  constructor(
    @Inject(KEY_SET) private readonly keys: KeySet,
    @Inject(VERIFIER_OPTIONS) private readonly options: JwksVerifierOptions,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<VerifierRequest>();
    const token = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (!token) throw refused('no bearer token');
    try {
      const { payload } = await jwtVerify(token, this.keys, {
        issuer: this.options.issuer,
        audience: this.options.audience,
        algorithms: this.options.algorithms,
      });
      if (payload.token_type !== 'access') throw refused('not an access token');
      request.claims = payload;
      return true;
    } catch (error) {
      if (error instanceof UnauthorizedException) throw error;
      if (error instanceof errors.JOSEError) throw refused(error.code);
      throw error;
    }
  }
}

function refused(reason: string): UnauthorizedException {
  return new UnauthorizedException({ statusCode: 401, message: 'Unauthorized', reason });
}

@Controller('orders')
class OrdersController {
  @Get('mine')
  @UseGuards(JwksAccessGuard)
  mine(@Req() request: VerifierRequest): VerifierBody {
    return { sub: request.claims?.sub };
  }
}

@Module({})
class JwksVerifierModule {
  static register(options: JwksVerifierOptions): DynamicModule {
    return {
      module: JwksVerifierModule,
      controllers: [OrdersController],
      providers: [
        { provide: VERIFIER_OPTIONS, useValue: options },
        {
          provide: KEY_SET,
          useFactory: () =>
            createRemoteJWKSet(options.jwksUrl, {
              cacheMaxAge: options.cacheMaxAge,
              cooldownDuration: options.cooldownDuration,
            }),
        },
        JwksAccessGuard,
      ],
    };
  }
}

/**
 * A second Nest application (Express, its own module, none of otp-auth's code) that protects a
 * route with otp-auth's access tokens, verified from the published JWK Set alone.
 */
export class JwksVerifierService extends ApiClient {
  private app!: INestApplication;

  static async start(options: JwksVerifierOptions): Promise<JwksVerifierService> {
    const service = new JwksVerifierService();
    // No logger of its own: Nest's logger is per process, and otp-auth's test app captures it.
    service.app = await NestFactory.create(
      JwksVerifierModule.register(options),
      new ExpressAdapter(),
    );
    await service.app.listen(0, '127.0.0.1');
    service.baseUrl = await service.app.getUrl();
    return service;
  }

  /** `GET` of the protected route with `token` as the Bearer token. */
  protectedRoute(token: string) {
    return this.get<VerifierBody>(VERIFIER_PROTECTED_PATH, { token });
  }

  async close(): Promise<void> {
    await this.app?.close();
  }
}
