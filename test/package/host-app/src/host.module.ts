// A fresh Nest application (on Express) that installs the packed otp-auth tarball and uses it
// the way a host would. Compiled and run by host-app.test.ts in a temporary directory.
import 'reflect-metadata';
import { Controller, Get, Module, UseGuards } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  CurrentUser,
  loadConfigFromEnvironment,
  OtpAuthGuard,
  OtpAuthModule,
  Public,
  RequestValidationPipe,
  type AuthenticatedUser,
  type UserRegisteredEvent,
} from 'otp-auth';

const registered: string[] = [];

@Controller('host')
class HostController {
  @Get('public')
  @Public()
  open(): { open: boolean } {
    return { open: true };
  }

  @Get('private')
  @UseGuards(OtpAuthGuard)
  mine(@CurrentUser() user: AuthenticatedUser): { owner: string; registered: string[] } {
    return { owner: user.id, registered };
  }
}

@Module({
  imports: [
    OtpAuthModule.forRootAsync({
      routePrefix: 'auth',
      useFactory: () => ({
        ...loadConfigFromEnvironment(process.env).otpAuth,
        hooks: {
          onUserRegistered: (event: UserRegisteredEvent) => {
            registered.push(event.email);
          },
        },
      }),
    }),
  ],
  controllers: [HostController],
})
class HostModule {}

const app = await NestFactory.create(HostModule, { logger: ['error'] });
app.useGlobalPipes(new RequestValidationPipe());
await app.listen(0, '127.0.0.1');
console.log(`HOST_LISTENING ${await app.getUrl()}`);
