import { UseFilters, type PipeTransform, type Type } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import { AllExceptionsFilter } from './all-exceptions.filter.js';
import { RequestValidationPipe } from './request-validation.pipe.js';

/** The arguments a client writes, which the module's pipe validates. */
const CLIENT_INPUT = new Set<number>([
  RouteParamtypes.BODY,
  RouteParamtypes.QUERY,
  RouteParamtypes.PARAM,
]);

/** One argument of a handler as Nest's parameter decorators record it (`type:index` → this). */
interface RouteArgument {
  index: number;
  data?: unknown;
  pipes: (Type<PipeTransform> | PipeTransform)[];
}

/**
 * The module's HTTP conventions on the routes of the controller it marks: its validation pipe
 * (strict types, unknown fields stripped, e-mails trimmed and lower-cased, messages naming the
 * field) and its exception filter (one error shape, nothing internal shown). Scoped to the
 * controller rather than global so that they hold in any host, whatever it configures globally,
 * and leave the host's own routes to the host's pipes and filters.
 *
 * The pipe is put on the arguments a client writes (body, query, path parameters), first among
 * their own pipes, rather than on the controller: a controller's pipes also run on every custom
 * argument (the caller of a Bearer route, its prefetched value), where a ValidationPipe only
 * hands the value back, at the price of a promise chain per argument on every request. Nest
 * runs a host's global pipes before these (global → controller → method → parameter): a host's
 * ValidationPipe may refuse a body first, in its own words, which this filter still shapes; a
 * body it lets through reaches this pipe, which normalizes it.
 */
export const HttpConventions =
  (): ClassDecorator =>
  (controller): void => {
    UseFilters(AllExceptionsFilter)(controller);
    for (const method of Object.getOwnPropertyNames(controller.prototype)) {
      validateClientInput(controller, method);
    }
  };

function validateClientInput(controller: object, method: string): void {
  const args = Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, method) as
    Record<string, RouteArgument> | undefined;
  if (!args) return;
  const validated = Object.fromEntries(
    Object.entries(args).map(([key, argument]) =>
      CLIENT_INPUT.has(Number(key.split(':')[0])) && !argument.pipes.includes(RequestValidationPipe)
        ? [key, { ...argument, pipes: [RequestValidationPipe, ...argument.pipes] }]
        : [key, argument],
    ),
  );
  Reflect.defineMetadata(ROUTE_ARGS_METADATA, validated, controller, method);
}
