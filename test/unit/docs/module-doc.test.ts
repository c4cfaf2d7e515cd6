import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';

/**
 * docs/module.md shows the host app that the packed-tarball test compiles and runs, word for word,
 * and the peer dependencies of package.json: the page cannot drift from what is tested.
 */
const REPO = resolve(import.meta.dirname, '../../../..');
const read = (path: string) => readFileSync(join(REPO, path), 'utf8');
const doc = read('docs/module.md');

describe('docs/module.md', () => {
  for (const [file, language] of [
    ['test/package/host-app/tsconfig.json', 'json'],
    ['test/package/host-app/src/app.module.ts', 'ts'],
    ['test/package/host-app/src/main.ts', 'ts'],
  ]) {
    it(`shows ${file}, which the host test runs, word for word`, () => {
      assert.ok(
        doc.includes(`\`\`\`${language}\n${read(file)}\`\`\``),
        `docs/module.md has no \`\`\`${language} block equal to ${file}`,
      );
    });
  }

  it('installs exactly the required peer dependencies of package.json, at their ranges', () => {
    const ours = JSON.parse(read('package.json')) as {
      peerDependencies: Record<string, string>;
      peerDependenciesMeta?: Record<string, { optional?: boolean }>;
    };
    const required = Object.entries(ours.peerDependencies)
      .filter(([name]) => !ours.peerDependenciesMeta?.[name]?.optional)
      .map(([name, range]) => `${name}@${range}`);
    const command = /```sh\n(npm install @nestjs\/axios[^`]*)```/.exec(doc);
    assert.ok(command, 'no `npm install @nestjs/axios…` block');
    const installed = command[1].replace(/\\\n/g, ' ').split(/\s+/).filter(Boolean).slice(2);
    assert.deepEqual(installed.sort(), required.sort());
  });
});
