// Writes <file>.br (brotli q11) and <file>.gz (gzip -9) beside every JS, wasm, CSS, HTML and
// SVG file of more than 1 KB in the folders given, for the server to send to browsers that
// accept them. Run by `cargo xtask` after Trunk builds (node's zlib does both).
const fs = require('fs'), path = require('path'), zlib = require('zlib');
for (const dir of process.argv.slice(2)) {
  for (const name of fs.readdirSync(dir)) {
    if (!/\.(js|wasm|css|html|svg)$/.test(name)) continue;
    const file = path.join(dir, name), bytes = fs.readFileSync(file);
    if (bytes.length <= 1024) continue;
    fs.writeFileSync(file + '.gz', zlib.gzipSync(bytes, { level: 9 }));
    fs.writeFileSync(file + '.br', zlib.brotliCompressSync(bytes, {
      params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
    }));
  }
}
