// Copies the non-TypeScript files the runtime reads (SDL) next to the compiled code, so that
// `dist/` resolves them with the same relative paths as the sources do.
import { cpSync, readdirSync, statSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

const roots = ['schema', 'subgraphs'];
function walk(dir) {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) walk(path);
    else if (path.endsWith('.graphql')) {
      const target = join('dist', path);
      mkdirSync(dirname(target), { recursive: true });
      cpSync(path, target);
    }
  }
}
for (const root of roots) walk(root);
