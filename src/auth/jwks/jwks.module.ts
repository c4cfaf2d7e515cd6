import { Module } from '@nestjs/common';
import { AuthModule } from '../auth.module.js';
import { JwksController } from './jwks.controller.js';

/**
 * `/.well-known/jwks.json`, at the root of the host whatever the API's prefix (RFC 8615 puts
 * well-known URIs there), hence a module of its own outside the prefixed feature modules.
 */
@Module({ imports: [AuthModule], controllers: [JwksController] })
export class JwksModule {}
