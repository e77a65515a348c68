// Resolve bare specifiers with the verifier page's own import map, so Node runs the same
// vendored files the browser loads. Use: node --import ./tests/js/importmap.mjs --test ...
import { register } from 'node:module';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const siteRoot = new URL('../../site/', import.meta.url);
const map = JSON.parse(readFileSync(new URL('static/verify/importmap.json', siteRoot), 'utf8'));
const imports = Object.fromEntries(
  Object.entries(map.imports).map(([prefix, target]) => [prefix, new URL(target, siteRoot).href]));

register('data:text/javascript,' + encodeURIComponent(`
const imports = ${JSON.stringify(imports)};
export async function resolve(specifier, context, next) {
  for (const [prefix, target] of Object.entries(imports)) {
    if (specifier.startsWith(prefix)) return next(target + specifier.slice(prefix.length), context);
  }
  return next(specifier, context);
}`), pathToFileURL('./'));
