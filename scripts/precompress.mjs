// Writes a brotli (.br, quality 11) and a gzip (.gz, level 9) copy beside every text or wasm
// file of the built site, so the server sends static files compressed once at the best ratio
// instead of compressing them again for every download. A copy is rewritten whenever its file
// is newer. Usage: node scripts/precompress.mjs [site root, default target/site]
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";

const root = process.argv[2] ?? "target/site";
const COMPRESSIBLE = /\.(wasm|js|css|html|svg|json|webmanifest|txt)$/;

function* files(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* files(full);
    else if (COMPRESSIBLE.test(entry.name)) yield full;
  }
}

const fresh = (copy, source) => fs.existsSync(copy) && fs.statSync(copy).mtimeMs >= fs.statSync(source).mtimeMs;
const encoders = {
  ".br": (data) =>
    zlib.brotliCompressSync(data, {
      params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length },
    }),
  ".gz": (data) => zlib.gzipSync(data, { level: 9 }),
};

let written = 0;
for (const file of files(root)) {
  const data = fs.readFileSync(file);
  for (const [suffix, encode] of Object.entries(encoders)) {
    if (fresh(file + suffix, file)) continue;
    fs.writeFileSync(file + suffix, encode(data));
    written++;
  }
}
console.log(`precompress: ${written} compressed copies written under ${root}`);
