import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configTableMarkdown, exampleConfig, loadConfig, OPTIONS, envNameOf, parseDuration, parseSize } from '../../lib/config/index.js';
import { projectRoot } from '../support/project-root.js';

describe('config: config.example.json and the README table', () => {
  const file = join(projectRoot(), 'config.example.json');

  it('config.example.json shows every option with its default (regenerate from exampleConfig() when this fails)', () => {
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), exampleConfig());
  });

  it('config.example.json loads; its only errors are the placeholders a user must replace', () => {
    const { problems } = loadConfig({ file, env: {} });
    const errors = problems.filter((p) => p.severity === 'error').map((p) => p.path).sort();
    assert.deepEqual(errors, ['accounts.default.tokenFile', 'users[0].passwordHash']);
  });

  it('the README table lists every option with its env var', () => {
    const table = configTableMarkdown();
    for (const o of OPTIONS) assert.ok(table.includes(`\`${o.path}\``) && table.includes(envNameOf(o.path)), o.path);
  });

  it('units: sizes and durations', () => {
    assert.equal(parseSize('10M'), 10 * 1024 ** 2);
    assert.equal(parseSize('1.5KiB'), 1536);
    assert.equal(parseSize('2 GB'), 2 * 1024 ** 3);
    assert.equal(parseSize('-1'), undefined);
    assert.equal(parseSize('10X'), undefined);
    assert.equal(parseDuration('1h30m'), 5_400_000);
    assert.equal(parseDuration('250ms'), 250);
    assert.equal(parseDuration(1500), 1500);
    assert.equal(parseDuration('7d'), 7 * 86_400_000);
    assert.equal(parseDuration('soon'), undefined);
  });
});
