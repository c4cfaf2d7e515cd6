import {
  ArgumentMetadata,
  BadRequestException,
  Injectable,
  ValidationError,
  ValidationPipe,
} from '@nestjs/common';
import { BodyErrorMessages } from './body-errors.js';
import { MAX_JSON_DEPTH, nestsDeeperThan } from './json-depth.js';

export const BODY_NOT_OBJECT = 'Request body must be a JSON object.';

function messagesOf(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((error) => {
    const path = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {});
    return [...own, ...messagesOf(error.children ?? [], path)];
  });
}

/**
 * The module's ValidationPipe, on its own controllers (see `HttpConventions`): unknown fields are
 * stripped (never stored), types are strict (no implicit conversion), and every message names its
 * field. A body that is not a JSON object (an array, a string, nothing) is refused before any field
 * is looked at, and so is one nested deeper than {@link MAX_JSON_DEPTH}: the standalone service's
 * parser already refuses those, a host app's parser may not, and class-transformer would recurse
 * through every level. Exported for hosts that want the same rules on their routes.
 */
@Injectable()
export class RequestValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      transform: true,
      forbidUnknownValues: true,
      stopAtFirstError: true,
      transformOptions: { enableImplicitConversion: false },
      validationError: { target: false, value: false },
      exceptionFactory: (errors) => new BadRequestException(messagesOf(errors)),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' && metadata.metatype && this.toValidate(metadata)) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw new BadRequestException(BODY_NOT_OBJECT);
      }
      if (nestsDeeperThan(value, MAX_JSON_DEPTH)) {
        throw new BadRequestException(BodyErrorMessages.malformedJson);
      }
    }
    return super.transform(value, metadata) as Promise<unknown>;
  }
}
