import { Module } from '@nestjs/common';
import {
  OTP_AUTH_OPTIONS,
  OtpAuthCoreConfigurableModule,
} from './otp-auth-core.module-definition.js';

/** Internal: provides and exports the options token to the feature modules. */
@Module({ exports: [OTP_AUTH_OPTIONS] })
export class OtpAuthCoreModule extends OtpAuthCoreConfigurableModule {}
