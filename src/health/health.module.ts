import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { StateModule } from '../state/state.module.js';
import { HealthController } from './health.controller.js';
import { StateHealthIndicator } from './state.health.js';

/** `GET /health` of the standalone service (@nestjs/terminus). */
@Module({
  imports: [TerminusModule.forRoot({ logger: false }), StateModule],
  controllers: [HealthController],
  providers: [StateHealthIndicator],
})
export class HealthModule {}
