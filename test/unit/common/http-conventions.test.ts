import type { DynamicModule, Type } from '@nestjs/common';
import {
  EXCEPTION_FILTERS_METADATA,
  MODULE_METADATA,
  PIPES_METADATA,
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

  it("each carry the module's pipe and filter exactly once, whatever the host sets globally", () => {
    for (const controller of controllers) {
      assert.deepEqual(
        Reflect.getMetadata(PIPES_METADATA, controller),
        [RequestValidationPipe],
        `${controller.name}'s pipes`,
      );
      assert.deepEqual(
        Reflect.getMetadata(EXCEPTION_FILTERS_METADATA, controller),
        [AllExceptionsFilter],
        `${controller.name}'s filters`,
      );
    }
  });
});
