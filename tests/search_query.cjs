// Runs the theme's real query script (themes/datto/static/js/tim-kiem.js) under node over
// a built index folder, for tests/search.rs:
//   node search_query.cjs SCRIPT INDEX_DIR '[{"q": "duong", "filters": ["u-viet-tri"]}, …]'
// prints one JSON line: for each query, the ranked results (title, url, first excerpt HTML)
// and the index files it read with their sizes.
'use strict';
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const [script, dir, queries] = process.argv.slice(2);
const search = require(path.resolve(script));

(async () => {
  const answers = [];
  for (const { q, filters } of JSON.parse(queries)) {
    const fetched = [];
    const searcher = new search.Searcher(async (file) => {
      const name = file.split('?')[0];
      // As the page does: gzipped files are inflated; sizes are the bytes as stored.
      const bytes = fs.readFileSync(path.join(dir, name));
      fetched.push([name, bytes.length]);
      return (bytes[0] === 0x1f && bytes[1] === 0x8b ? zlib.gunzipSync(bytes) : bytes).toString('utf8');
    });
    await searcher.open();
    const result = await searcher.search(q, filters || []);
    const hits = [];
    for (const doc of result.docs) {
      const rec = await searcher.record(doc);
      hits.push({ title: rec.t, url: rec.u, unit: rec.n, date: rec.d, kind: rec.k,
        titleHtml: search.highlight(rec.t, result.terms, 0), excerpt: search.excerpt(rec, result.terms) });
    }
    answers.push({ q, hits, fetched });
  }
  process.stdout.write(JSON.stringify(answers));
})().catch((e) => { console.error(e); process.exit(1); });
