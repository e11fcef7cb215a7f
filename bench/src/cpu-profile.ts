// Where a process's time went: the self time of a V8 .cpuprofile (node --cpu-prof) by function and by module,
// as the tables a report quotes. Also runnable on its own: tsx bench/src/cpu-profile.ts <file.cpuprofile>.
import { readFileSync } from 'node:fs';
import { printTable } from './stats.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** A url shortened to what a reader recognises: the package under node_modules, or the path inside the repo. */
function moduleOf(url: string): string {
  if (url === '') return '(native / V8)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg) return pkg;
  if (url.startsWith('node:')) return url;
  const repo = /\/(apps\/[^/]+|packages\/[^/]+)\//.exec(url)?.[1];
  return repo ?? url.replace(/^file:\/\//, '');
}

export function summarizeProfile(file: string, top = 20): void {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  let total = 0;
  let idle = 0;
  const byFunction = new Map<string, number>();
  const byModule = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    total += us;
    if (functionName === '(idle)') idle += us;
    const fn = `${functionName || '(anonymous)'} ${moduleOf(url)}${url ? `:${lineNumber + 1}` : ''}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
    const mod = ['(idle)', '(program)', '(garbage collector)'].includes(functionName) ? functionName : moduleOf(url);
    byModule.set(mod, (byModule.get(mod) ?? 0) + us);
  }
  const rows = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([what, us]) => ({ what, 'self ms': Math.round(us / 1000), '% of busy': what.startsWith('(idle)') ? '-' : `${((us / busy) * 100).toFixed(1)}%` }));
  const busy = total - idle;
  printTable(`cpu profile ${file}: self time by module (${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s busy)`, rows(byModule));
  printTable(`cpu profile: top ${top} functions by self time`, rows(byFunction));
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, '/'))) {
  for (const f of process.argv.slice(2)) summarizeProfile(f);
}
