"""bench/search_report.py OUT: the table of bench/search.sh, from the files it left in OUT."""
import json
import os
import statistics
import sys

out = sys.argv[1]
mode = sys.argv[2] if len(sys.argv) > 2 else "table"
here = os.path.dirname(os.path.abspath(__file__))
queries = json.load(open(f"{out}/search-queries-datto.json"))
pf_queries = f"{out}/search-queries-pagefind.json"
if os.path.exists(f"{out}/t-pagefind") and os.path.exists(pf_queries):
    queries += json.load(open(pf_queries))
    last = None
else:
    # Pagefind not run this time (PAGEFIND=1): its last figures.
    last = json.load(open(f"{here}/pagefind/last.json"))
if mode == "queries":
    for r in queries:
        print(f"  {r['engine']:9} {r['q']!r:20} {r['results']:6} results "
              f"{r['bytes'] / 1024:7.1f} KB in {r['files']:3} files {r['ms']:6} ms"
              + (f" (first result {r['ms_first']} ms; from the navigation: first {r['nav_first']}, "
                 f"page {r['nav_page']} ms; typed into a loaded page: {r['typed']} ms)" if 'nav_first' in r else ""))
    sys.exit(0)


def col(name, c):
    return statistics.median(float(line.split()[c]) for line in open(f"{out}/t-{name}") if line.strip())


def cpu(name):
    return col(name, 1) + col(name, 2)


def size(path):
    return sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(path) for f in fs)


def count(path):
    return sum(len(fs) for _, _, fs in os.walk(path))


def largest(engine, key):
    return max(r[key] for r in queries if r["engine"] == engine)


def pf(key, fresh):
    return last[key] if last else fresh()


def edits(label):
    path = f"{out}/serve-{label}-edits"
    values = [int(line) for line in open(path) if line.strip()] if os.path.exists(path) else []
    return f"{statistics.median(values):.0f}" if values else "–"


index = f"{out}/datto-10000/public/tim-kiem"
parts = {p: size(f"{index}/{p}") for p in ("s", "r", "f")}
pagefind = f"{out}/pagefind-site/pagefind"
bw, bm = col("nosearch-first", 0), col("nosearch-first", 3)
sw, sm = col("search-first", 0), col("search-first", 3)
bc, sc = cpu("nosearch-first"), cpu("search-first")
n = len([r for r in queries if r["engine"] == "datto"])
rows = [
    "| | datto without search | datto with search | Pagefind 1.5.2 CLI |",
    "|---|---:|---:|---:|",
    f"| full build into an empty folder: wall s (CPU s) | {bw:.2f} ({bc:.2f}) | {sw:.2f} ({sc:.2f}) | – |",
    f"| indexing: wall s (CPU s) | – | +{sw - bw:.2f} (+{sc - bc:.2f}): +{100 * (sw - bw) / bw:.0f} % wall, "
    f"+{100 * (sc - bc) / bc:.0f} % CPU | {pf('wall_s', lambda: col('pagefind', 0)):.2f} ({pf('cpu_s', lambda: cpu('pagefind')):.2f}) over the built HTML |",
    f"| peak memory (MB) | {bm / 1024:.0f} | {sm / 1024:.0f} (+{(sm - bm) / 1024:.0f}) | {pf('peak_mb', lambda: col('pagefind', 3) / 1024):.0f} |",
    f"| index on disk | – | {size(index) / 1e6:.1f} MB in {count(index)} files (shards {parts['s'] / 1e6:.1f} MB, "
    f"records {parts['r'] / 1e6:.1f} MB, filter lists {parts['f'] / 1e3:.0f} KB) | {pf('index_mb', lambda: size(pagefind) / 1e6):.1f} MB in {pf('index_files', lambda: count(pagefind))} files |",
    f"| one query: bytes fetched, script included (largest of {n} queries) | – | {largest('datto', 'bytes') / 1024:.0f} KB "
    f"| {pf('query_kb', lambda: largest('pagefind', 'bytes') / 1024):.0f} KB |",
    f"| one query: ms to the first results in Chromium (largest of {n}) | – | {largest('datto', 'ms')} | {pf('query_ms', lambda: largest('pagefind', 'ms'))} |",
    *([f"| one query, datto's page: ms to the first result / to the ten, from the navigation's start (largest of {n}) | – | "
       f"{largest('datto', 'nav_first')} / {largest('datto', 'nav_page')} | – |",
       f"| one query typed into a loaded /tim-kiem/: ms to the first result (largest of {n}) | – | {largest('datto', 'typed')} | – |"]
      if all('nav_first' in r for r in queries if r['engine'] == 'datto') else []),
    f"| serve, one item edited: whole rebuild ms (median of 5) | – | {edits('search')} | – |",
]
print("\n".join(rows))
with open(f"{out}/search-result.md", "w") as f:
    f.write("\n".join(rows) + "\n")
