// `npm test`: installs on a fresh clone (a clone has no node_modules, and the README promises
// that `npm test` works on its own), builds (the CLI tests run the built `meshgate` command,
// as users do), then runs the whole suite.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

function run(cmd, args) {
  const result = spawnSync(cmd, args, { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
if (!existsSync('node_modules/.bin/vitest') || !existsSync('node_modules/graphql-yoga')) {
  run('npm', [existsSync('package-lock.json') ? 'ci' : 'install']); // builds too, via `prepare`
} else {
  run('npm', ['run', 'build', '--silent']);
}
run('node_modules/.bin/vitest', ['run', ...process.argv.slice(2)]);
