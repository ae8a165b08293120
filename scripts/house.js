#!/usr/bin/env node
/**
 * `node scripts/house.js [--top N]`: the floor plan in figures, for reviews
 * of the architecture. Prints the longest functions (lines from the
 * declaration to its closing brace) and the imports between top-level
 * folders (who depends on whom), read with the TypeScript parser so that
 * the figures do not depend on formatting tricks.
 */
'use strict';
const ts = require('typescript');
const { readdirSync, readFileSync, statSync } = require('node:fs');
const { join, relative, dirname, resolve } = require('node:path');

const root = resolve(__dirname, '..');
const top = Number(process.argv[process.argv.indexOf('--top') + 1]) || 10;
const skip = new Set(['node_modules', 'dist', 'tests', 'data', 'bench-results', '.git', 'seeds', 'docs']);

/** Every .ts source under the repository, tests and build output excepted. */
function sources(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) {
      if (!skip.has(name)) out.push(...sources(full));
    } else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

const folderOf = (file) => relative(root, file).split('/')[0];
const functions = [];
const imports = new Map();

for (const file of sources(root)) {
  const text = readFileSync(file, 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const lineOf = (pos) => sf.getLineAndCharacterOfPosition(pos).line;
  const visit = (node) => {
    if (ts.isFunctionLike(node) && node.body) {
      const lines = lineOf(node.getEnd()) - lineOf(node.getStart(sf)) + 1;
      let name = node.name ? node.name.getText(sf) : '';
      if (!name && ts.isVariableDeclaration(node.parent)) name = node.parent.name.getText(sf);
      if (!name && ts.isPropertyAssignment(node.parent)) name = node.parent.name.getText(sf);
      functions.push({
        lines,
        name: name || '(anonymous)',
        at: `${relative(root, file)}:${lineOf(node.getStart(sf)) + 1}`,
      });
    }
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      const spec = node.moduleSpecifier.text;
      if (spec.startsWith('.')) {
        const from = folderOf(file);
        const to = relative(root, resolve(dirname(file), spec)).split('/')[0];
        if (from !== to) imports.set(`${from} → ${to}`, (imports.get(`${from} → ${to}`) ?? 0) + 1);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
}

functions.sort((a, b) => b.lines - a.lines);
console.log(`longest functions (of ${functions.length}):`);
for (const f of functions.slice(0, top)) console.log(`  ${String(f.lines).padStart(4)}  ${f.name}  ${f.at}`);
console.log(`functions over 80 lines: ${functions.filter((f) => f.lines > 80).length}`);
console.log('imports between folders:');
for (const [k, n] of [...imports].sort()) console.log(`  ${k}: ${n}`);
