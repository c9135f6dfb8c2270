// Minifies the JavaScript Trunk leaves as it is (its minifier gives up on wasm-bindgen's
// `export { …, __wbg_init as default }` and ships the glue unminified), with terser, and
// puts each file's new sha384 digest into the index.html beside it, so the page's integrity
// checks still hold. Run by `cargo xtask` after Trunk builds, before precompress.js.
const fs = require('fs'), path = require('path'), crypto = require('crypto');
const { minify } = require('terser');
const digest = (bytes) => 'sha384-' + crypto.createHash('sha384').update(bytes).digest('base64');

(async () => {
  for (const dir of process.argv.slice(2)) {
    const index = path.join(dir, 'index.html');
    let html = fs.readFileSync(index, 'utf8');
    for (const name of fs.readdirSync(dir).filter((n) => n.endsWith('.js'))) {
      const file = path.join(dir, name), code = fs.readFileSync(file, 'utf8');
      const out = await minify(code, { module: true, ecma: 2020, compress: { passes: 2 } });
      if (out.code.length >= code.length) continue;
      const [before, after] = [digest(code), digest(out.code)];
      html = html.split(before).join(after);
      fs.writeFileSync(file, out.code);
    }
    fs.writeFileSync(index, html);
  }
})().catch((e) => { console.error(e); process.exit(1); });
