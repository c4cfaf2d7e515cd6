import { Controller, Get, Module, UseGuards } from '@nestjs/common';
import {
  CurrentUser,
  loadConfigFromEnvironment,
  OtpAuthGuard,
  OtpAuthModule,
  type AuthenticatedUser,
} from 'otp-auth';

/** A route of your own, for signed-in users only. */
@Controller('orders')
export class OrdersController {
  @Get('mine')
  @UseGuards(OtpAuthGuard) // redundant while the guard is global (the default); needed with globalGuard: false
  mine(@CurrentUser() user: AuthenticatedUser) {
    return { owner: user.id };
  }
}

@Module({
  imports: [
    OtpAuthModule.forRootAsync({
      // The variables of the configuration table (DATABASE_URL, MAIL_URL, JWT_SECRET...), with
      // the service's defaults and checks. Or build the options yourself (OtpAuthOptions).
      useFactory: () => loadConfigFromEnvironment(process.env).otpAuth,
    }),
  ],
  controllers: [OrdersController],
})
export class AppModule {}
