import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import type { DataSource } from 'typeorm';
import { Public } from '../auth/decorators/public.decorator.js';
import { OTP_AUTH_DATA_SOURCE } from '../database/otp-auth-repositories.js';
import { StateHealthIndicator } from './state.health.js';

/** `GET /health`: 200 when the database and the state store answer, 503 when not. */
@ApiTags('Operations')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly state: StateHealthIndicator,
    @Inject(OTP_AUTH_DATA_SOURCE) private readonly dataSource: DataSource,
  ) {}

  @Get()
  @HealthCheck()
  @ApiOperation({
    summary: 'Liveness and readiness',
    description: 'Checks the database and the cache.',
  })
  @ApiResponse({
    status: 200,
    description: 'Everything answers.',
    example: {
      status: 'ok',
      info: { database: { status: 'up' }, cache: { status: 'up' } },
      error: {},
      details: {},
    },
  })
  @ApiResponse({
    status: 503,
    description:
      'The database or the cache does not answer: `details` names each component and its state, `info` lists those that are up.',
    example: {
      statusCode: 503,
      error: 'Service Unavailable',
      message: 'Service Unavailable',
      status: 'error',
      info: { database: { status: 'up' } },
      details: { database: { status: 'up' }, cache: { status: 'down' } },
    },
  })
  check() {
    return this.health.check([
      () => this.database.pingCheck('database', { connection: this.dataSource, timeout: 2000 }),
      () => this.state.isHealthy('cache'),
    ]);
  }
}
