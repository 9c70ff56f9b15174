#!/usr/bin/env node
// The `meshgate` command: runs the compiled CLI (built by `npm install` / `npm ci` through the
// `prepare` script).
import { main } from '../dist/src/cli.js';

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`${error?.code ? '' : 'meshgate: '}${error?.message ?? error}\n`);
    process.exit(1);
  },
);
