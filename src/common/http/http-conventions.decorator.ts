import { applyDecorators, UseFilters, UsePipes } from '@nestjs/common';
import { AllExceptionsFilter } from './all-exceptions.filter.js';
import { RequestValidationPipe } from './request-validation.pipe.js';

/**
 * The module's HTTP conventions on the routes of the controller it marks: its validation pipe
 * (strict types, unknown fields stripped, e-mails trimmed and lower-cased, messages naming the
 * field) and its exception filter (one error shape, nothing internal shown). Scoped to the
 * controller rather than global so that they hold in any host, whatever it configures globally,
 * and leave the host's own routes to the host's pipes and filters.
 *
 * Nest runs a host's global pipes before these (global → controller → method → parameter): a
 * host's ValidationPipe may refuse a body first, in its own words, which this filter still shapes;
 * a body it lets through reaches this pipe, which normalizes it.
 */
export const HttpConventions = (): ClassDecorator =>
  applyDecorators(UsePipes(RequestValidationPipe), UseFilters(AllExceptionsFilter));
