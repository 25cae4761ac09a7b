// Builds the dashboard (web/) into dist/web: esbuild bundles the TypeScript and CSS into
// content-hashed files under dist/web/assets/ (cached for good by the daemon), and index.html is
// written with their names. hls.js is split into its own chunk, loaded only by the stream page.
import { build } from 'esbuild';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = path.join(root, 'dist', 'web');
const assets = path.join(outdir, 'assets');

await rm(outdir, { recursive: true, force: true });
await mkdir(assets, { recursive: true });

const result = await build({
  entryPoints: [path.join(root, 'web', 'src', 'main.ts')],
  outdir: assets,
  bundle: true,
  splitting: true,
  format: 'esm',
  target: ['chrome109', 'firefox115', 'safari15'],
  minify: true,
  sourcemap: false,
  entryNames: '[name]-[hash]',
  chunkNames: '[name]-[hash]',
  assetNames: '[name]-[hash]',
  metafile: true,
  legalComments: 'eof',
  logLevel: 'warning',
});

const entry = Object.entries(result.metafile.outputs).find(([, output]) => output.entryPoint !== undefined);
if (!entry) throw new Error('esbuild produced no entry output');
const [script, output] = entry;
const css = output.cssBundle;
if (!css) throw new Error('esbuild produced no CSS bundle (web/src/main.ts must import styles.css)');
const url = (file) => `/assets/${path.basename(file)}`;

const template = await readFile(path.join(root, 'web', 'index.html'), 'utf8');
const html = template.replace('<!-- styles -->', `<link rel="stylesheet" href="${url(css)}">`).replace('<!-- scripts -->', `<script type="module" src="${url(script)}"></script>`);
if (html === template) throw new Error('web/index.html lacks the <!-- styles --> / <!-- scripts --> markers');
await writeFile(path.join(outdir, 'index.html'), html);
console.log(`dashboard built: ${path.relative(root, outdir)} (${Object.keys(result.metafile.outputs).length} assets)`);
