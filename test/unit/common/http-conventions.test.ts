import type { DynamicModule, Type } from '@nestjs/common';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import {
  EXCEPTION_FILTERS_METADATA,
  MODULE_METADATA,
  PIPES_METADATA,
  ROUTE_ARGS_METADATA,
} from '@nestjs/common/constants.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AllExceptionsFilter } from '../../../src/common/http/all-exceptions.filter.js';
import { RequestValidationPipe } from '../../../src/common/http/request-validation.pipe.js';
import { OtpAuthModule } from '../../../src/otp-auth.module.js';
import { testOptions } from '../support/options.js';

type Imported = Type | DynamicModule;

/** Every controller reachable from `root` through its imports, static and dynamic. */
function controllersOf(root: Imported): Set<Type> {
  const controllers = new Set<Type>();
  const seen = new Set<unknown>();
  const visit = (entry: Imported | undefined) => {
    if (!entry || seen.has(entry)) return;
    seen.add(entry);
    const moduleClass = 'module' in entry ? entry.module : entry;
    const dynamic: Partial<DynamicModule> = 'module' in entry ? entry : {};
    for (const controller of [
      ...((Reflect.getMetadata(MODULE_METADATA.CONTROLLERS, moduleClass) ?? []) as Type[]),
      ...(dynamic.controllers ?? []),
    ]) {
      controllers.add(controller);
    }
    for (const imported of [
      ...((Reflect.getMetadata(MODULE_METADATA.IMPORTS, moduleClass) ?? []) as Imported[]),
      ...((dynamic.imports ?? []) as Imported[]),
    ]) {
      visit(imported);
    }
  };
  visit(root);
  return controllers;
}

describe("the module's controllers", () => {
  const controllers = controllersOf(OtpAuthModule.forRoot(testOptions()));

  it('are found (the eight that serve the API, the signing keys and the outbox)', () => {
    assert.deepEqual([...controllers].map((controller) => controller.name).sort(), [
      'DevOutboxController',
      'EmailChangeController',
      'JwksController',
      'PasswordController',
      'ProfileController',
      'RegistrationController',
      'SessionController',
      'SessionsController',
    ]);
  });

  it("each carry the module's filter exactly once, whatever the host sets globally", () => {
    for (const controller of controllers) {
      assert.deepEqual(
        Reflect.getMetadata(EXCEPTION_FILTERS_METADATA, controller),
        [AllExceptionsFilter],
        `${controller.name}'s filters`,
      );
      assert.equal(Reflect.getMetadata(PIPES_METADATA, controller), undefined, controller.name);
    }
  });

  it("put the module's pipe first, once, on every body, query and path argument, and on nothing else", () => {
    const clientInput = new Set<number>([
      RouteParamtypes.BODY,
      RouteParamtypes.QUERY,
      RouteParamtypes.PARAM,
    ]);
    const seen = new Map<string, number>();
    for (const controller of controllers) {
      for (const method of Object.getOwnPropertyNames(controller.prototype)) {
        const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, method) ?? {}) as Record<
          string,
          { pipes: unknown[] }
        >;
        for (const [key, argument] of Object.entries(args)) {
          const type = Number(key.split(':')[0]);
          const where = `${controller.name}.${method} argument ${key}`;
          if (clientInput.has(type)) {
            assert.equal(argument.pipes[0], RequestValidationPipe, where);
            assert.equal(
              argument.pipes.filter((pipe) => pipe === RequestValidationPipe).length,
              1,
              where,
            );
            seen.set(RouteParamtypes[type], (seen.get(RouteParamtypes[type]) ?? 0) + 1);
          } else {
            assert.ok(!argument.pipes.includes(RequestValidationPipe), where);
            if (Number.isNaN(type)) seen.set('custom', (seen.get('custom') ?? 0) + 1);
          }
        }
      }
    }
    // The walk found what it checks: bodies, a query, a path parameter and custom arguments.
    for (const kind of ['BODY', 'QUERY', 'PARAM', 'custom']) {
      assert.ok((seen.get(kind) ?? 0) > 0, `no ${kind} argument found`);
    }
  });
});
