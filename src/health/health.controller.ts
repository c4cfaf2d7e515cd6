import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import type { DataSource } from 'typeorm';
import { Public } from '../auth/decorators/public.decorator.js';
import { OTP_AUTH_DATA_SOURCE } from '../database/otp-auth-repositories.js';
import { HEALTH_DOWN, HEALTH_UP } from './health.responses.js';
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
  // Documented below as the filter sends it: terminus's own schema has `error` as an object,
  // where Nest's error shape makes it the reason phrase.
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @ApiOperation({
    summary: 'Liveness and readiness',
    description: 'Checks the database and the cache.',
  })
  @ApiResponse(HEALTH_UP)
  @ApiResponse(HEALTH_DOWN)
  check() {
    return this.health.check([
      () => this.database.pingCheck('database', { connection: this.dataSource, timeout: 2000 }),
      () => this.state.isHealthy('cache'),
    ]);
  }
}
