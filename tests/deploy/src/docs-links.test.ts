import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { REPO } from './compose.js';

// The README is a quick start and the depth lives in docs/ (decision 47): every relative link and
// anchor between them must resolve, and every manual task page must be reachable from its role's
// index page. Decision records are history and are not rewritten, so they are not checked here.

function markdownFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'decisions' ? [] : markdownFiles(path);
    return name.endsWith('.md') ? [path] : [];
  });
}

/** The page's text without fenced code blocks, where brackets are code, not links. */
const prose = (text: string) => text.replace(/^```[\s\S]*?^```/gm, '');

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens; repeats get -1, -2… */
function anchorsOf(text: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const [, heading] of prose(text).matchAll(/^#{1,6} +(.+?) *#*$/gm)) {
    const base = heading!
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

interface Link {
  from: string;
  target: string;
}

function linksOf(file: string): Link[] {
  const text = prose(readFileSync(file, 'utf8'));
  return [...text.matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?: "[^"]*")?\)/g)].map((m) => ({ from: relative(REPO, file), target: m[1]! }));
}

const FILES = [join(REPO, 'README.md'), ...markdownFiles(join(REPO, 'docs'))];
const LOCAL = FILES.flatMap(linksOf).filter((l) => !/^[a-z]+:/i.test(l.target));

describe('the README and docs/ pages', () => {
  it('link only to files that exist', () => {
    expect(LOCAL.length).toBeGreaterThan(100);
    const broken = LOCAL.filter((l) => {
      const path = l.target.split('#')[0]!;
      return path !== '' && !existsSync(resolve(REPO, dirname(l.from), decodeURI(path)));
    });
    expect(broken.map((l) => `${l.from} → ${l.target}`)).toEqual([]);
  });

  it('link only to headings that exist', () => {
    const withAnchor = LOCAL.filter((l) => l.target.includes('#') && /(\.md)?#/.test(l.target));
    expect(withAnchor.length).toBeGreaterThan(5);
    const broken = withAnchor.filter((l) => {
      const [path, anchor] = l.target.split('#') as [string, string];
      const file = path === '' ? resolve(REPO, l.from) : resolve(REPO, dirname(l.from), path);
      if (!file.endsWith('.md') || !existsSync(file)) return false; // the file check reports it
      return !anchorsOf(readFileSync(file, 'utf8')).has(anchor);
    });
    expect(broken.map((l) => `${l.from} → ${l.target}`)).toEqual([]);
  });

  it('computes anchors the way GitHub does', () => {
    const anchors = anchorsOf('# What `npm run up` starts\n## Requester links: "Fixed" and "Not fixed"\n## Logs\n## Logs\n```\n# not a heading\n```');
    expect([...anchors]).toEqual(['what-npm-run-up-starts', 'requester-links-fixed-and-not-fixed', 'logs', 'logs-1']);
  });
});

describe('the manual', () => {
  const MANUAL = join(REPO, 'docs', 'manual');
  const ROLES = ['clinic-staff', 'it-agent', 'it-lead', 'vendor', 'auditor', 'admin'];

  it('has an index page per role, linked from the README', () => {
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    for (const role of ROLES) {
      expect(existsSync(join(MANUAL, `${role}.md`)), role).toBe(true);
      expect(readme).toContain(`(docs/manual/${role}.md)`);
    }
  });

  it('reaches every task page from an index page, and each task page is titled', () => {
    const linked = new Set(
      ROLES.flatMap((role) => linksOf(join(MANUAL, `${role}.md`)).map((l) => resolve(MANUAL, l.target.split('#')[0]!))),
    );
    const pages = ROLES.flatMap((role) => (existsSync(join(MANUAL, role)) ? markdownFiles(join(MANUAL, role)) : []));
    expect(pages.length).toBeGreaterThan(15);
    expect(pages.filter((p) => !linked.has(p)).map((p) => relative(REPO, p))).toEqual([]);
    for (const page of pages) expect(readFileSync(page, 'utf8'), relative(REPO, page)).toMatch(/^# \S/);
  });
});

describe('the README', () => {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');

  it('is a quick start: the two commands, the URLs and the demo logins', () => {
    expect(readme.length).toBeLessThan(12_000);
    expect(readme).toMatch(/^npm run up +#/m);
    // .ci/run runs exactly this command.
    expect(readme).toMatch(/^npm test +#/m);
    expect(readFileSync(join(REPO, '.ci', 'run'), 'utf8')).toMatch(/^npm test$/m);
    expect(readme).toContain('http://localhost:3000');
    for (const user of ['nora.nurse', 'alex.agent', 'lee.lead', 'val.vendor', 'audrey.auditor', 'ada.admin']) expect(readme).toContain(`\`${user}\``);
  });
});
