// The layout is the architecture (docs/ARCHITECTURE.md), kept true by checks:
// small files and functions, and who may import whom.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const ROOT = join(import.meta.dirname, '..');
const SRC = join(ROOT, 'src');
const MAX_FILE_LINES = 300;
const MAX_FUNCTION_LINES = 80;

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}
const sources = files(SRC).map((f) => ({ path: relative(ROOT, f), text: readFileSync(f, 'utf8') }));
const parsed = sources.map((s) => ({ ...s, ast: ts.createSourceFile(s.path, s.text, ts.ScriptTarget.ES2022, true) }));

test(`no file under src/ is over ${MAX_FILE_LINES} lines`, () => {
  const long = sources.map((s) => [s.path, s.text.split('\n').length] as const).filter(([, n]) => n > MAX_FILE_LINES);
  assert.deepEqual(long, []);
});

test(`no function under src/ is over ${MAX_FUNCTION_LINES} lines`, () => {
  const long: string[] = [];
  for (const { path, ast } of parsed) {
    const visit = (node: ts.Node) => {
      if (ts.isFunctionLike(node) && 'body' in node && node.body) {
        const lines = ast.getLineAndCharacterOfPosition(node.end).line - ast.getLineAndCharacterOfPosition(node.getStart(ast)).line + 1;
        const name = (node as { name?: ts.Node }).name?.getText(ast) ?? '(anonymous)';
        if (lines > MAX_FUNCTION_LINES) long.push(`${path}:${ast.getLineAndCharacterOfPosition(node.getStart(ast)).line + 1} ${name}: ${lines} lines`);
      }
      ts.forEachChild(node, visit);
    };
    visit(ast);
  }
  assert.deepEqual(long, []);
});

/** Every import of a file: relative ones as repo-relative paths, packages by name. */
function importsOf(path: string, ast: ts.SourceFile): string[] {
  const out: string[] = [];
  const visit = (node: ts.Node) => {
    const spec = (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier) ? node.moduleSpecifier.text
      : ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && ts.isStringLiteral(node.arguments[0]!) ? (node.arguments[0] as ts.StringLiteral).text : undefined;
    if (spec) out.push(spec.startsWith('.') ? relative(ROOT, resolve(dirname(join(ROOT, path)), spec)).replace(/\.js$/, '.ts') : spec);
    ts.forEachChild(node, visit);
  };
  visit(ast);
  return out;
}
const imports = parsed.map(({ path, ast }) => ({ path, deps: importsOf(path, ast) }));
const violations = (from: RegExp, bad: (dep: string) => boolean) =>
  imports.filter((f) => from.test(f.path)).flatMap((f) => f.deps.filter(bad).map((d) => `${f.path} → ${d}`));

test('the core never imports the faces, the server, the auth layer or Fastify', () => {
  assert.deepEqual(violations(/^src\/core\//, (d) => /^src\/(faces|server|auth|cli|web)\//.test(d) || /^(fastify|@fastify\/)/.test(d)), []);
});

test('the store imports only the domain model (core/model.ts) and its own files', () => {
  assert.deepEqual(violations(/^src\/store\//, (d) => d.startsWith('src/') && d !== 'src/core/model.ts' && !d.startsWith('src/store/')), []);
});

test('the faces and the auth layer call the core, never the store', () => {
  assert.deepEqual(violations(/^src\/(faces|auth|web)\//, (d) => d.startsWith('src/store/')), []);
});

test('the auth layer knows no face', () => {
  assert.deepEqual(violations(/^src\/auth\//, (d) => /^src\/(faces|server|web)\//.test(d) || /^(fastify|@fastify\/)/.test(d)), []);
});

test('errors are recognised by class (instanceof), never by their name', () => {
  const byName = sources.filter((s) => /\.name\s*[!=]==\s*'\w*Error'/.test(s.text)).map((s) => s.path);
  assert.deepEqual(byName, []);
});

test("every address check reads the request's clientIp (src/server/client-address.ts: trusted_proxies), never Fastify's req.ip", () => {
  const direct = sources.filter((s) => /^src\/(faces|server|web)\//.test(s.path) && /\breq\.ip\b/.test(s.text.replace(/req\.clientIp \?\? req\.ip/g, ''))).map((s) => s.path);
  assert.deepEqual(direct, []);
});
