/**
 * The layer dependency rules, checked on the TypeScript sources: each layer of lib/ may import
 * only the layers its row allows. app.ts, cli/ and bin/ may import any layer of lib/, but
 * nothing that ships (lib/, bin/) may import from spec/: test doubles and harnesses live there.
 * A violation names the file and the import.
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { projectRoot } from '../support/project-root.js';

const root = projectRoot();
const lib = join(root, 'lib');

const ALLOWED: Record<string, readonly string[]> = {
  util: [],
  store: ['util'],
  storage: ['util'],
  jottacloud: ['util', 'store', 'storage'],
  vfs: ['util', 'store', 'storage'],
  dav: ['util', 'store', 'storage', 'vfs'],
  emulator: ['util'],
  config: ['util'],
};

async function sourcesBelow(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await sourcesBelow(full)));
    else if (entry.name.endsWith('.ts')) out.push(full);
  }
  return out;
}

function importsOf(source: string): string[] {
  const specifiers: string[] = [];
  const pattern = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (const m of source.matchAll(pattern)) specifiers.push((m[1] ?? m[2]) as string);
  return specifiers;
}

function layerOf(file: string): string | undefined {
  const rel = relative(lib, file).split('/');
  return rel.length > 1 ? rel[0] : undefined;
}

describe('architecture: layer dependency rules', () => {
  it('every lib/ import stays within the layers its layer may use', async () => {
    const violations: string[] = [];
    let checked = 0;
    for (const file of await sourcesBelow(lib)) {
      const layer = layerOf(file);
      if (layer === undefined || layer === 'cli' || !(layer in ALLOWED)) continue;
      const allowed = ALLOWED[layer] as readonly string[];
      for (const spec of importsOf(await readFile(file, 'utf8'))) {
        if (!spec.startsWith('.')) continue;
        checked++;
        const target = resolve(dirname(file), spec);
        if (!target.startsWith(lib + '/')) {
          violations.push(`${relative(root, file)} imports ${spec} (outside lib/)`);
          continue;
        }
        const targetLayer = layerOf(target);
        if (targetLayer === undefined) {
          violations.push(`${relative(root, file)} imports ${spec} (the composition root)`);
        } else if (targetLayer !== layer && !allowed.includes(targetLayer)) {
          violations.push(`${relative(root, file)} imports ${spec} (${layer} may not use ${targetLayer})`);
        }
      }
    }
    assert.ok(checked > 0, 'no imports were checked: the scan is broken');
    assert.deepEqual(violations, []);
  });

  it('nothing in lib/ or bin/ imports from spec/ (what ships never needs a test double)', async () => {
    const spec = join(root, 'spec');
    const offenders: string[] = [];
    let checked = 0;
    for (const file of [...(await sourcesBelow(lib)), ...(await sourcesBelow(join(root, 'bin')))]) {
      for (const specifier of importsOf(await readFile(file, 'utf8'))) {
        if (!specifier.startsWith('.')) continue;
        checked++;
        const target = resolve(dirname(file), specifier);
        if (target === spec || target.startsWith(spec + '/')) offenders.push(`${relative(root, file)} imports ${specifier}`);
      }
    }
    assert.ok(checked > 0, 'no imports were checked: the scan is broken');
    assert.deepEqual(offenders, []);
  });

  it('dav uses lib/vfs only through its index', async () => {
    const offenders: string[] = [];
    for (const file of await sourcesBelow(join(lib, 'dav'))) {
      for (const spec of importsOf(await readFile(file, 'utf8'))) {
        const target = resolve(dirname(file), spec);
        if (target.startsWith(join(lib, 'vfs') + '/') && !target.endsWith('/vfs/index.js')) {
          offenders.push(`${relative(root, file)} imports ${spec}`);
        }
      }
    }
    assert.deepEqual(offenders, []);
  });

  it('only lib/config reads process.env', async () => {
    const offenders: string[] = [];
    for (const file of await sourcesBelow(lib)) {
      const layer = layerOf(file);
      if (layer === 'config') continue;
      if (/process\.env\b/.test(await readFile(file, 'utf8'))) offenders.push(relative(root, file));
    }
    assert.deepEqual(offenders, []);
  });
});
