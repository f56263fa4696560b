// Builds ../quizapp/static/vendor/codemirror/yaml-editor.js (one minified
// IIFE) from src/editor.js and writes LICENSE.txt next to it with the
// licence of every npm package that ended up in the bundle.
import { build } from "esbuild";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const outDir = resolve(root, "../quizapp/static/vendor/codemirror");
const outfile = join(outDir, "yaml-editor.js");

// CSP patch for style-mod (CodeMirror's CSS-in-JS helper).
//
// style-mod >= 4.1 mounts CodeMirror's styles for a *document* as a <style>
// element with inline text, which quizapp's CSP (`default-src 'self'`, no
// 'unsafe-inline', no nonce) blocks: the editor then renders unstyled.
// For shadow roots it already uses a constructable stylesheet
// (document.adoptedStyleSheets), which CSP does not restrict. We drop the
// "not a document" condition so documents get the same treatment. Only
// this one line changes; the build fails if it is not found, so upgrading
// style-mod forces a look at this patch.
const STYLE_MOD_FROM = "if (!root.head && root.adoptedStyleSheets && win.CSSStyleSheet) {";
const STYLE_MOD_TO = "if (root.adoptedStyleSheets && win.CSSStyleSheet) {";
const styleModCspPatch = {
  name: "style-mod-csp",
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/]style-mod[\\/].*\.js$/ }, (args) => {
      const src = readFileSync(args.path, "utf8");
      if (src.split(STYLE_MOD_FROM).length !== 2) {
        throw new Error(`style-mod CSP patch: expected line not found once in ${args.path}`);
      }
      return { contents: src.replace(STYLE_MOD_FROM, STYLE_MOD_TO), loader: "js" };
    });
  },
};

const result = await build({
  absWorkingDir: root,
  entryPoints: ["src/editor.js"],
  bundle: true,
  minify: true,
  format: "iife",
  target: "es2020",
  platform: "browser",
  legalComments: "none", // licences go to LICENSE.txt instead
  sourcemap: false,
  metafile: true,
  plugins: [styleModCspPatch],
  outfile,
  logLevel: "info",
});

// Packages whose code is in the bundle (bytes in the output, so modules
// that were tree-shaken away entirely don't count), from the metafile.
const pkgs = new Set();
const [output] = Object.values(result.metafile.outputs);
for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
  if (!bytesInOutput) continue;
  const m = input.match(/(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//);
  if (m) pkgs.add(m[1]);
}

const sections = [...pkgs].sort().map((name) => {
  const dir = join(root, "node_modules", name);
  const meta = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.(md|txt))?$/i.test(f));
  if (!file) throw new Error(`no LICENSE file in ${name}`);
  const text = readFileSync(join(dir, file), "utf8").trim();
  const rule = "=".repeat(72);
  const repo = typeof meta.repository === "string" ? meta.repository : meta.repository?.url;
  const where = (repo || meta.homepage || "").replace(/^git\+/, "");
  return `${rule}\n${meta.name} ${meta.version} (${meta.license})${where ? `\n${where}` : ""}\n${rule}\n\n${text}\n`;
});

const header = `Third-party software bundled in yaml-editor.js
===============================================

yaml-editor.js is built from quizapp's frontend/src/editor.js by esbuild
(see frontend/README.md). It contains code from the npm packages below,
each under its own licence, reproduced in full.

Packages: ${[...pkgs].sort().join(", ")}

`;
writeFileSync(join(outDir, "LICENSE.txt"), header + sections.join("\n"));
console.log(`bundled ${pkgs.size} packages; wrote ${relative(root, join(outDir, "LICENSE.txt"))}`);
