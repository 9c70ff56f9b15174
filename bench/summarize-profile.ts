import { readFileSync } from 'node:fs';
import { profileMarkdown, summarizeCpuProfile, type CpuProfile } from './cpu-profile-summary.js';

// `node dist/bench/summarize-profile.js FILE.cpuprofile [TOP]`: prints where the time went.
const [file, top] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node dist/bench/summarize-profile.js FILE.cpuprofile [TOP]\n');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
process.stdout.write(`${profileMarkdown(summarizeCpuProfile(profile, {}, top ? Number(top) : 25))}\n`);
