// `npm test` on a fresh clone installs first: a clone has no node_modules, and the README
// promises that `npm test` works on its own.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

function run(cmd, args) {
  const result = spawnSync(cmd, args, { stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
if (!existsSync('node_modules/.bin/vitest') || !existsSync('node_modules/graphql-yoga')) {
  run('npm', [existsSync('package-lock.json') ? 'ci' : 'install']);
}
run('node_modules/.bin/vitest', ['run', ...process.argv.slice(2)]);
