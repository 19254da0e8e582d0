// Runs the theme's real query script (themes/datto/static/js/tim-kiem.js) under node over
// a built index folder, for tests/search.rs:
//   node search_query.cjs SCRIPT INDEX_DIR '[{"q": "duong", "filters": ["u-viet-tri"]}, …]'
// prints one JSON line: for each query, the ranked results (title, url, first excerpt HTML)
// and the index files it read with their sizes.
'use strict';
const fs = require('fs');
const path = require('path');
const [script, dir, queries] = process.argv.slice(2);
const search = require(path.resolve(script));

(async () => {
  const answers = [];
  for (const { q, filters } of JSON.parse(queries)) {
    const fetched = [];
    const searcher = new search.Searcher(async (file) => {
      const name = file.split('?')[0];
      const text = fs.readFileSync(path.join(dir, name), 'utf8');
      fetched.push([name, Buffer.byteLength(text)]);
      return text;
    });
    await searcher.open();
    const result = await searcher.search(q, filters || []);
    const hits = [];
    for (const doc of result.docs) {
      const rec = await searcher.record(doc);
      hits.push({ title: rec.t, url: rec.u, unit: rec.n, date: rec.d, kind: rec.k,
        titleHtml: search.highlight(rec.t, result.terms, 0), excerpt: search.highlight(rec.x, result.terms, 32) });
    }
    answers.push({ q, hits, fetched });
  }
  process.stdout.write(JSON.stringify(answers));
})().catch((e) => { console.error(e); process.exit(1); });
