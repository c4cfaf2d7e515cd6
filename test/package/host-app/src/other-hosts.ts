// Not in docs/module.md: the documented AppModule in hosts that set up Nest in other ways, as
// HOST_SETUP says: `plain`, a plain ValidationPipe and an exception filter of the host's own;
// `previous`, the exported RequestValidationPipe as global pipe (the README's former advice).
// Each adds a route of its own with a body, to show that its routes keep its own behaviour.
import 'reflect-metadata';
import {
  Body,
  Catch,
  Controller,
  HttpException,
  Module,
  Post,
  ValidationPipe,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import { HttpAdapterHost, NestFactory } from '@nestjs/core';
import { IsEmail } from 'class-validator';
import { Public, RequestValidationPipe } from 'otp-auth';
import { AppModule } from './app.module.js';

class NewsletterDto {
  @IsEmail()
  email!: string;
}

@Controller('newsletter')
class NewsletterController {
  @Post()
  @Public()
  subscribe(@Body() body: NewsletterDto) {
    return { subscribed: body.email };
  }
}

/** The host's own error shape: `{ "problem": ... }`. */
@Catch(HttpException)
class ProblemFilter implements ExceptionFilter {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: HttpException, host: ArgumentsHost) {
    const response: unknown = host.switchToHttp().getResponse();
    const body = { problem: exception.message };
    this.adapterHost.httpAdapter.reply(response, body, exception.getStatus());
  }
}

@Module({ imports: [AppModule], controllers: [NewsletterController] })
class OtherHostModule {}

const app = await NestFactory.create(OtherHostModule, { logger: ['error'] });
if (process.env.HOST_SETUP === 'plain') {
  app.useGlobalPipes(new ValidationPipe());
  app.useGlobalFilters(new ProblemFilter(app.get(HttpAdapterHost)));
} else if (process.env.HOST_SETUP === 'previous') {
  app.useGlobalPipes(new RequestValidationPipe());
}
await app.listen(process.env.PORT ?? 3000);
console.log(`listening on ${await app.getUrl()}`);
