// Build the studio's modeler bundle: node_modules/.casestudio/modeler.{js,css}.
//
// Why into node_modules: the output is derived from the pinned packages, like the
// packages themselves it is produced by `npm ci` (the `prepare` script) and never
// committed; studio/vendor.py serves exactly these two files.
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "..", "..");
const out = path.join(root, "node_modules", ".casestudio");

const common = {
  bundle: true,
  minify: true,
  legalComments: "eof",
  logLevel: "warning",
  absWorkingDir: root,
  nodePaths: [path.join(root, "node_modules")],
};

await build({
  ...common,
  entryPoints: [path.join(here, "modeler-entry.js")],
  outfile: path.join(out, "modeler.js"),
  format: "iife",
  target: ["es2020"],
  define: { "process.env.NODE_ENV": '"production"' },
});
await build({
  ...common,
  entryPoints: [path.join(here, "modeler-entry.css")],
  outfile: path.join(out, "modeler.css"),
  loader: { ".svg": "dataurl", ".woff": "empty", ".woff2": "empty", ".ttf": "empty", ".eot": "empty" },
});
console.log(`built ${path.relative(root, out)}/modeler.{js,css}`);
