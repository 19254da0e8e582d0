#!/usr/bin/env python3
"""Static checks of a datto build, used by check.sh (standard library only).

Subcommands (each prints a readable report and appends `key=value` lines to --counts):

  siteinfo  --root REPO                  print "BASE_URL=..." and "YEAR=..." (shell-evaluable)
  vnu       --report JSON --out OUT       print the Nu Html Checker's errors, count them
  feeds     --out OUT --base-url URL      rss.xml, don-vi/*/rss.xml, sitemap.xml, robots.txt
  links     --out OUT --base-url URL      internal links/resources resolve; nothing from outside
  pages     --out OUT --base-url URL      URLs of the pages the browser check visits (JSON)

Exit status: 0 when the subcommand found no failure, 1 otherwise (2 on bad usage).
"""

import argparse
import datetime as dt
import email.utils
import html.parser
import json
import os
import re
import shlex
import sys
import urllib.parse
import xml.etree.ElementTree as ET

# ---------------------------------------------------------------------------------------------
# helpers


def rel(path, root):
    return os.path.relpath(path, root).replace(os.sep, "/")


def add_counts(counts_file, **kv):
    if not counts_file:
        return
    with open(counts_file, "a", encoding="utf-8") as f:
        for k, v in kv.items():
            f.write(f"{k}={v}\n")


class Details:
    """Prints the first `limit` detail lines; writes every one to `full` (a file) when given."""

    def __init__(self, limit, full):
        self.limit, self.full, self.n = limit, full, 0
        self.f = open(full, "w", encoding="utf-8") if full else None

    def __call__(self, line, continuation=False):
        if not continuation:
            self.n += 1
        if self.n <= self.limit:
            print(line)
        if self.f:
            self.f.write(line + "\n")

    def close(self):
        if self.f:
            self.f.close()
        if self.n > self.limit:
            where = f" (every one in {self.full})" if self.full else ""
            print(f"  … {self.n - self.limit} more not shown{where}")


def read_site_yaml_scalar(text, key):
    """Top-level `key: value` of site.yaml without a YAML library (only simple scalars)."""
    m = re.search(rf"^{re.escape(key)}\s*:\s*(.*?)\s*$", text, re.M)
    if not m:
        return None
    v = m.group(1)
    if v[:1] in "\"'":
        q = v[0]
        end = v.find(q, 1)
        return v[1:end] if end > 0 else v[1:]
    return re.sub(r"\s+#.*$", "", v).strip()


def parse_offset(s):
    m = re.fullmatch(r"([+-])(\d{1,2}):?(\d{2})", (s or "").strip())
    if not m:
        return dt.timezone(dt.timedelta(hours=7))  # the site's default (Vietnam)
    sign = 1 if m.group(1) == "+" else -1
    return dt.timezone(sign * dt.timedelta(hours=int(m.group(2)), minutes=int(m.group(3))))


class Site:
    """Maps URLs of the site onto files of the output folder."""

    def __init__(self, out, base_url):
        self.out = os.path.abspath(out)
        if not base_url.endswith("/"):
            base_url += "/"
        self.base_url = base_url
        p = urllib.parse.urlsplit(base_url)
        self.scheme, self.netloc = p.scheme.lower(), p.netloc.lower()
        self.base_path = p.path or "/"

    def is_own_absolute(self, url):
        p = urllib.parse.urlsplit(url)
        return p.scheme.lower() in ("http", "https") and p.netloc.lower() == self.netloc

    def page_url_path(self, file):
        """URL path at which an output file is served (index.html -> its folder)."""
        r = rel(file, self.out)
        if r == "index.html":
            r = ""
        elif r.endswith("/index.html"):
            r = r[: -len("index.html")]
        return self.base_path + urllib.parse.quote(r)

    def resolve(self, url_path):
        """(file or None, reason) for an absolute URL path such as /phunu/tin-bai/."""
        path = urllib.parse.unquote(url_path)
        if not path.startswith(self.base_path):
            if path + "/" == self.base_path:
                path += "/"
            else:
                return None, f"outside the site's base path {self.base_path}"
        r = path[len(self.base_path):]
        parts = []
        for seg in r.split("/"):
            if seg in ("", "."):
                continue
            if seg == "..":
                if not parts:
                    return None, "climbs above the site root"
                parts.pop()
                continue
            parts.append(seg)
        target = os.path.join(self.out, *parts)
        if path.endswith("/") or not parts:
            f = os.path.join(target, "index.html")
            return (f, "") if os.path.isfile(f) else (None, "no index.html in that folder")
        if os.path.isfile(target):
            return target, ""
        if os.path.isdir(target):
            f = os.path.join(target, "index.html")
            if os.path.isfile(f):
                return f, ""  # servers redirect /x to /x/
            return None, "a folder without index.html"
        return None, "no such file"


# ---------------------------------------------------------------------------------------------
# siteinfo


def cmd_siteinfo(a):
    path = os.path.join(a.root, "content", "site.yaml")
    with open(path, encoding="utf-8-sig") as f:
        text = f.read()
    base_url = read_site_yaml_scalar(text, "base_url") or ""
    tz = parse_offset(read_site_yaml_scalar(text, "timezone"))
    now = dt.datetime.now(tz)
    if os.environ.get("SOURCE_DATE_EPOCH", "").strip().isdigit():
        now = dt.datetime.fromtimestamp(int(os.environ["SOURCE_DATE_EPOCH"]), tz)
    print(f"BASE_URL={shlex.quote(base_url)}")
    print(f"YEAR={now.year}")
    return 0


# ---------------------------------------------------------------------------------------------
# vnu report


def cmd_vnu(a):
    try:
        with open(a.report, encoding="utf-8") as f:
            raw = f.read()
        data = json.loads(raw) if raw.strip() else {"messages": []}
    except (OSError, ValueError) as e:
        print(f"cannot read the validator's report {a.report}: {e}")
        add_counts(a.counts, vnu_errors=1)
        return 1
    out = os.path.abspath(a.out)
    errors = []
    for m in data.get("messages", []):
        if m.get("type") not in ("error", "non-document-error") and m.get("subType") != "fatal":
            continue
        url = m.get("url", "")
        f = urllib.parse.unquote(urllib.parse.urlsplit(url).path) if url.startswith("file:") else url
        f = rel(f, out) if f.startswith(out) else f
        line = m.get("lastLine") or m.get("firstLine") or ""
        col = m.get("firstColumn") or m.get("lastColumn") or ""
        loc = f"{f}:{line}:{col}" if line else f
        extract = (m.get("extract") or "").replace("\n", " ").strip()
        errors.append((f, int(line or 0), loc, m.get("message", "").strip(), extract))
    errors.sort(key=lambda e: (e[0], e[1]))
    by_file = {}
    show = Details(a.limit, a.full)
    for f, _, loc, msg, extract in errors:
        by_file.setdefault(f, 0)
        by_file[f] += 1
        show(f"  {loc}: {msg}")
        if extract:
            show(f"      …{extract[:160]}…", continuation=True)
    show.close()
    if errors:
        print(f"\n  {len(errors)} validator error(s) in {len(by_file)} file(s)")
        # The same template error repeats on many pages: group by message for the theme owner.
        groups = {}
        for f, _, loc, msg, _ in errors:
            groups.setdefault(msg, []).append(f)
        print("  by message:")
        for msg, files in sorted(groups.items(), key=lambda kv: -len(kv[1])):
            print(f"    {len(files):4d} × {msg}   (e.g. {files[0]})")
    add_counts(a.counts, vnu_errors=len(errors))
    return 1 if errors else 0


# ---------------------------------------------------------------------------------------------
# feeds and sitemap


def local(tag):
    return tag.rsplit("}", 1)[-1]


def cmd_feeds(a):
    site = Site(a.out, a.base_url)
    problems = []

    def bad(file, msg):
        problems.append(f"{file}: {msg}")

    def check_abs(file, what, url):
        url = (url or "").strip()
        if not url:
            bad(file, f"empty {what}")
            return
        if not url.startswith(site.base_url):
            bad(file, f"{what} {url!r} is not absolute under base_url {site.base_url}")
            return
        path = urllib.parse.urlsplit(url).path
        f, why = site.resolve(path)
        if f is None:
            bad(file, f"{what} {url!r} points to nothing in the output ({why})")

    feeds = []
    if os.path.isfile(os.path.join(site.out, "rss.xml")):
        feeds.append("rss.xml")
    else:
        bad("rss.xml", "missing")
    units_dir = os.path.join(site.out, "don-vi")
    unit_feeds = 0
    if os.path.isdir(units_dir):
        for name in sorted(os.listdir(units_dir)):
            if os.path.isfile(os.path.join(units_dir, name, "rss.xml")):
                feeds.append(f"don-vi/{name}/rss.xml")
                unit_feeds += 1
    if unit_feeds == 0:
        bad("don-vi/*/rss.xml", "no unit feed found")

    n_items = 0
    for feed in feeds:
        path = os.path.join(site.out, feed)
        try:
            root = ET.parse(path).getroot()
        except ET.ParseError as e:
            bad(feed, f"not well-formed XML: {e}")
            continue
        if local(root.tag) != "rss" or root.get("version") != "2.0":
            bad(feed, f"root element is <{local(root.tag)} version={root.get('version')!r}>, expected <rss version=\"2.0\">")
        channels = [c for c in root if local(c.tag) == "channel"]
        if len(channels) != 1:
            bad(feed, f"{len(channels)} <channel> elements, expected 1")
            continue
        ch = channels[0]
        for req in ("title", "link", "description"):
            el = ch.find(req)
            if el is None or not (el.text or "").strip():
                bad(feed, f"<channel> has no <{req}>")
        if ch.find("link") is not None:
            check_abs(feed, "<channel><link>", ch.find("link").text)
        for el in ch:
            if local(el.tag) == "link" and el.tag != "link":  # atom:link
                if el.get("rel") == "self":
                    want = site.base_url + feed
                    if el.get("href") != want:
                        bad(feed, f"atom:link rel=self is {el.get('href')!r}, expected {want!r}")
        items = ch.findall("item")
        n_items += len(items)
        if len(items) > 20:
            bad(feed, f"{len(items)} items, the spec says latest 20")
        prev = None
        for i, it in enumerate(items, 1):
            where = f"item {i}"
            for req in ("title", "link", "guid", "pubDate"):
                el = it.find(req)
                if el is None or not (el.text or "").strip():
                    bad(feed, f"{where} has no <{req}>")
            link = it.find("link")
            if link is not None:
                check_abs(feed, f"{where} <link>", link.text)
            guid = it.find("guid")
            if guid is not None and guid.get("isPermaLink", "true") != "false":
                check_abs(feed, f"{where} <guid>", guid.text)
            pd = it.find("pubDate")
            if pd is not None and (pd.text or "").strip():
                try:
                    when = email.utils.parsedate_to_datetime(pd.text.strip())
                    if when.tzinfo is None:
                        raise ValueError("no zone")
                    if prev is not None and when > prev:
                        bad(feed, f"{where} is newer than the one before it (feeds list newest first)")
                    prev = when
                except (TypeError, ValueError):
                    bad(feed, f"{where} <pubDate> {pd.text.strip()!r} is not an RFC 822 date")
            # every child element must be text, not escaped HTML soup outside <description>
            for el in it:
                if local(el.tag) in ("title",) and el.text and re.search(r"<[a-z]", el.text):
                    bad(feed, f"{where} <title> holds markup: {el.text[:80]!r}")
        print(f"  {feed}: {len(items)} item(s)")

    # sitemap
    sm = os.path.join(site.out, "sitemap.xml")
    locs = []
    if not os.path.isfile(sm):
        bad("sitemap.xml", "missing")
    else:
        try:
            root = ET.parse(sm).getroot()
            if root.tag != "{http://www.sitemaps.org/schemas/sitemap/0.9}urlset":
                bad("sitemap.xml", f"root element is {root.tag}, expected urlset in the sitemaps.org 0.9 namespace")
            for i, u in enumerate(root, 1):
                if local(u.tag) != "url":
                    bad("sitemap.xml", f"child {i} is <{local(u.tag)}>, expected <url>")
                    continue
                loc = [c for c in u if local(c.tag) == "loc"]
                if len(loc) != 1 or not (loc[0].text or "").strip():
                    bad("sitemap.xml", f"<url> {i} has no <loc>")
                    continue
                locs.append(loc[0].text.strip())
                check_abs("sitemap.xml", f"<loc>", loc[0].text)
                for c in u:
                    if local(c.tag) == "lastmod" and not re.fullmatch(
                        r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?", (c.text or "").strip()
                    ):
                        bad("sitemap.xml", f"<lastmod> {c.text!r} is not a W3C date")
            dup = {l for l in locs if locs.count(l) > 1}
            for d in sorted(dup):
                bad("sitemap.xml", f"<loc> {d} listed more than once")
            print(f"  sitemap.xml: {len(locs)} URL(s)")
        except ET.ParseError as e:
            bad("sitemap.xml", f"not well-formed XML: {e}")

    # robots.txt points at the sitemap
    robots = os.path.join(site.out, "robots.txt")
    if os.path.isfile(robots):
        with open(robots, encoding="utf-8") as f:
            for line in f:
                if line.lower().startswith("sitemap:"):
                    u = line.split(":", 1)[1].strip()
                    if u != site.base_url + "sitemap.xml":
                        bad("robots.txt", f"Sitemap: {u!r}, expected {site.base_url}sitemap.xml")
    else:
        bad("robots.txt", "missing")

    # warnings (not failures): HTML pages not in the sitemap
    if locs:
        listed = {urllib.parse.unquote(urllib.parse.urlsplit(l).path) for l in locs}
        missing = []
        for dirpath, _, files in os.walk(site.out):
            for fn in files:
                if fn == "index.html":
                    p = urllib.parse.unquote(site.page_url_path(os.path.join(dirpath, fn)))
                    if p not in listed:
                        missing.append(p)
        if missing:
            print(f"  note: {len(missing)} page(s) not in sitemap.xml, e.g. {', '.join(sorted(missing)[:5])}")

    for p in problems:
        print(f"  FAIL {p}")
    print(f"  {len(feeds)} feed(s), {n_items} item(s), {len(problems)} problem(s)")
    add_counts(a.counts, feeds=len(feeds), feed_errors=len(problems))
    return 1 if problems else 0


# ---------------------------------------------------------------------------------------------
# links


RESOURCE_LINK_RELS = {
    "stylesheet", "icon", "shortcut", "apple-touch-icon", "apple-touch-icon-precomposed", "mask-icon",
    "preload", "modulepreload", "prefetch", "prerender", "manifest", "dns-prefetch", "preconnect",
}
# (tag, attribute) pairs holding one URL; whether loading it is a "resource" (fetched by the page)
URL_ATTRS = {
    ("a", "href"): False,
    ("area", "href"): False,
    ("link", "href"): None,  # depends on rel
    ("img", "src"): True,
    ("script", "src"): True,
    ("source", "src"): True,
    ("video", "src"): True,
    ("video", "poster"): True,
    ("audio", "src"): True,
    ("track", "src"): True,
    ("iframe", "src"): True,
    ("embed", "src"): True,
    ("object", "data"): True,
    ("input", "src"): True,
    ("form", "action"): False,
}
SRCSET_TAGS = {"img", "source"}
CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)|@import\s+(?:"([^"]*)"|'([^']*)')""")
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")


class PageParser(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.refs = []  # (tag, attr, url, is_resource, line)
        self.ids = set()
        self.base_href = None
        self.meta = []  # (property, content, line)
        self.in_style = False
        self.style_text = []

    def handle_starttag(self, tag, attrs):
        d = {}
        for k, v in attrs:
            d.setdefault(k, v)
        line = self.getpos()[0]
        for k in ("id", "name"):
            if d.get(k) and (k == "id" or tag == "a"):
                self.ids.add(d[k])
        if tag == "base" and d.get("href") is not None:
            self.base_href = d["href"]
        if tag == "meta":
            prop = d.get("property") or d.get("name") or ""
            if prop in ("og:url", "og:image", "og:image:url", "og:image:secure_url", "twitter:image"):
                self.meta.append((prop, d.get("content") or "", line))
        if tag == "style":
            self.in_style = True
        if d.get("style"):
            for u in css_urls(d["style"]):
                self.refs.append((tag, "style", u, True, line))
        for (t, attr), res in URL_ATTRS.items():
            if t == tag and d.get(attr) is not None:
                if res is None:  # <link>
                    rels = set((d.get("rel") or "").lower().split())
                    res = bool(rels & RESOURCE_LINK_RELS) or d.get("as") == "font"
                self.refs.append((tag, attr, d[attr], res, line))
        if tag in SRCSET_TAGS and d.get("srcset"):
            for cand in split_srcset(d["srcset"]):
                self.refs.append((tag, "srcset", cand, True, line))
        if tag == "link" and d.get("imagesrcset"):
            for cand in split_srcset(d["imagesrcset"]):
                self.refs.append((tag, "imagesrcset", cand, True, line))
        # SVG <use href> / <image href>
        if tag in ("use", "image") and (d.get("href") or d.get("xlink:href")):
            self.refs.append((tag, "href", d.get("href") or d.get("xlink:href"), True, line))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "style" and self.in_style:
            self.in_style = False
            for u in css_urls("".join(self.style_text)):
                self.refs.append(("style", "url()", u, True, self.getpos()[0]))
            self.style_text = []

    def handle_data(self, data):
        if self.in_style:
            self.style_text.append(data)


def split_srcset(s):
    """URLs of a srcset (HTML's parsing algorithm, simplified: URL, then descriptors up to a comma)."""
    out, i, n = [], 0, len(s)
    while i < n:
        while i < n and (s[i].isspace() or s[i] == ","):
            i += 1
        j = i
        while j < n and not s[j].isspace():
            j += 1
        url = s[i:j]
        if url.endswith(","):
            url = url.rstrip(",")
            i = j
        else:
            i = j
            while i < n and s[i] != ",":
                i += 1
        if url:
            out.append(url)
    return out


def css_urls(text, with_lines=False):
    # blank out comments but keep their newlines, so line numbers stay right
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    for m in CSS_URL.finditer(text):
        u = next((g for g in m.groups() if g is not None), "")
        if u:
            yield (u, text.count("\n", 0, m.start()) + 1) if with_lines else u


def classify(url):
    """'skip' (fragment-only, mailto:, data: …), 'external' (scheme://) or 'internal'."""
    u = url.strip()
    if u == "" or u.startswith("#"):
        return "fragment"
    low = u.lower()
    if low.startswith("//"):
        return "external"
    if SCHEME.match(u):
        if low.startswith(("http://", "https://")) or "://" in low:
            return "external"
        return "skip"  # mailto:, tel:, data:, javascript:, sms:, geo: …
    return "internal"


def cmd_links(a):
    site = Site(a.out, a.base_url)
    broken = []  # (page, line, url, why)
    outside = []  # (page, line, tag/attr, url)
    relative_in_404 = []
    frag_missing = []
    n_pages = n_refs = 0
    ids_cache = {}
    pending_fragments = []  # (page, line, url, target_file, fragment)

    def ids_of(file):
        if file not in ids_cache:
            p = PageParser()
            try:
                with open(file, encoding="utf-8", errors="replace") as f:
                    p.feed(f.read())
            except OSError:
                pass
            ids_cache[file] = p.ids
        return ids_cache[file]

    html_files, css_files = [], []
    for dirpath, dirnames, files in os.walk(site.out):
        dirnames.sort()
        for fn in sorted(files):
            full = os.path.join(dirpath, fn)
            if fn.endswith((".html", ".htm")):
                html_files.append(full)
            elif fn.endswith(".css"):
                css_files.append(full)

    def check_ref(page_file, page_url, line, tag, attr, url, is_resource, base_for_rel):
        nonlocal n_refs
        kind = classify(url)
        if kind == "skip":
            return
        if kind == "fragment":
            frag = url.strip()[1:]
            if frag and page_file.endswith(".html") and tag in ("a", "area"):
                pending_fragments.append((page_file, line, url, page_file, urllib.parse.unquote(frag)))
            return
        n_refs += 1
        if kind == "external":
            absu = ("https:" + url.strip()) if url.strip().startswith("//") else url.strip()
            if site.is_own_absolute(absu):
                pass  # an absolute link to the site itself: check it like an internal one
            else:
                if is_resource:
                    outside.append((page_file, line, f"<{tag} {attr}>", url))
                return
            target_url = absu
        else:
            target_url = urllib.parse.urljoin(base_for_rel, url.strip())
        parts = urllib.parse.urlsplit(target_url)
        path = parts.path or "/"
        if "\\" in path:
            broken.append((page_file, line, url, "backslash in path"))
            return
        f, why = site.resolve(path)
        if f is None:
            broken.append((page_file, line, url, why))
            return
        if parts.fragment and f.endswith(".html") and tag in ("a", "area"):
            pending_fragments.append((page_file, line, url, f, urllib.parse.unquote(parts.fragment)))

    for page in html_files:
        n_pages += 1
        p = PageParser()
        with open(page, encoding="utf-8", errors="replace") as fh:
            text = fh.read()
        p.feed(text)
        p.close()
        ids_cache[page] = p.ids
        page_url = site.scheme + "://" + site.netloc + site.page_url_path(page)
        base_for_rel = urllib.parse.urljoin(page_url, p.base_href) if p.base_href else page_url
        is_404 = rel(page, site.out) == "404.html"
        for tag, attr, url, is_res, line in p.refs:
            if is_404 and classify(url) == "internal" and not url.strip().startswith("/"):
                relative_in_404.append((page, line, url))
            check_ref(page, page_url, line, tag, attr, url, is_res, base_for_rel)
        for prop, content, line in p.meta:
            content = content.strip()
            if not content:
                broken.append((page, line, f'<meta property="{prop}">', "empty content"))
            elif not content.startswith(site.base_url):
                if classify(content) == "external":
                    # og:image may not come from another server either
                    outside.append((page, line, f'<meta property="{prop}">', content))
                else:
                    broken.append((page, line, content, f'{prop} must be an absolute URL under {site.base_url}'))
            else:
                f, why = site.resolve(urllib.parse.urlsplit(content).path)
                if f is None:
                    broken.append((page, line, content, f"{prop}: {why}"))

    for css in css_files:
        with open(css, encoding="utf-8", errors="replace") as fh:
            text = fh.read()
        css_url = site.scheme + "://" + site.netloc + site.base_path + urllib.parse.quote(rel(css, site.out))
        for u, line in css_urls(text, with_lines=True):
            check_ref(css, css_url, line, "css", "url()", u, True, css_url)

    for page, line, url, target, frag in pending_fragments:
        if frag not in ids_of(target) and frag.lower() != "top":
            frag_missing.append((page, line, url))

    R = lambda f: rel(f, site.out)
    show = Details(a.limit, a.full)
    for page, line, url, why in broken:
        show(f"  BROKEN  {R(page)}:{line}: {url}  ({why})")
    for page, line, what, url in outside:
        show(f"  OUTSIDE {R(page)}:{line}: {what} loads {url}")
    for page, line, url in relative_in_404:
        show(f"  404REL  {R(page)}:{line}: relative link {url!r} in 404.html (it is served at any URL: use a root-relative link)")
    show.close()
    if frag_missing:
        print(f"  note: {len(frag_missing)} link(s) to a #fragment with no such id (not a failure):")
        for page, line, url in frag_missing[:20]:
            print(f"        {R(page)}:{line}: {url}")
    # group by URL so a template bug shows once
    if broken:
        groups = {}
        for page, line, url, why in broken:
            groups.setdefault((url, why), []).append(R(page))
        print(f"\n  broken targets ({len(groups)} distinct):")
        for (url, why), pages in sorted(groups.items(), key=lambda kv: -len(kv[1]))[:a.limit]:
            print(f"    {len(pages):4d} page(s) → {url}  ({why}), e.g. {pages[0]}")
    if outside:
        groups = {}
        for page, line, what, url in outside:
            groups.setdefault(url, []).append(R(page))
        print(f"\n  outside resources ({len(groups)} distinct):")
        for url, pages in sorted(groups.items(), key=lambda kv: -len(kv[1]))[:a.limit]:
            print(f"    {len(pages):4d} page(s) load {url}, e.g. {pages[0]}")
    n_broken = len(broken) + len(relative_in_404)
    print(
        f"  {n_pages} HTML page(s), {len(css_files)} stylesheet(s), {n_refs} link(s)/resource(s) checked: "
        f"{n_broken} broken, {len(outside)} from outside servers"
    )
    add_counts(a.counts, **{f"{a.label}broken_links": n_broken, f"{a.label}outside_resources": len(outside)})
    return 1 if (n_broken or outside) else 0


# ---------------------------------------------------------------------------------------------
# pages for the browser check


class LinkCollector(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.hrefs = []
        self.main_depth = 0

    def handle_starttag(self, tag, attrs):
        d = dict(attrs)
        if tag == "a" and d.get("href"):
            self.hrefs.append(d["href"])


def links_on(site, url_path):
    f, _ = site.resolve(url_path)
    if not f:
        return []
    p = LinkCollector()
    with open(f, encoding="utf-8", errors="replace") as fh:
        p.feed(fh.read())
    page_url = site.scheme + "://" + site.netloc + url_path
    out = []
    for h in p.hrefs:
        u = urllib.parse.urljoin(page_url, h)
        if site.is_own_absolute(u) or classify(h) == "internal":
            out.append(urllib.parse.urlsplit(u).path)
    return out


def cmd_pages(a):
    site = Site(a.out, a.base_url)
    b = site.base_path
    pages = [("home", b)]
    esc = re.escape(b)
    item = next((p for p in links_on(site, b + "tin-bai/") if re.fullmatch(esc + r"tin-bai/\d{4}/[^/]+/", p)), None)
    pages.append(("item", item or b + "tin-bai/"))
    unit = b + "don-vi/viet-tri/"
    if site.resolve(unit)[0] is None:
        unit = next(
            (p for p in links_on(site, b + "don-vi/") if re.fullmatch(esc + r"don-vi/(?!trang/)[^/]+/", p)),
            b + "don-vi/",
        )
    pages.append(("unit", unit))
    pages.append(("tally", f"{b}thong-ke/{a.year}/"))
    pages.append(("profiles", b + "mo-hinh/"))
    prof = next(
        (p for p in links_on(site, b + "mo-hinh/") if re.fullmatch(esc + r"mo-hinh/(?!loai/|trang/)[^/]+/", p)),
        None,
    )
    pages.append(("profile", prof or b + "mo-hinh/"))
    if a.extra:
        # every other kind of page, for a wider (opt-in) sweep: EXTRA_PAGES=1 check.sh
        for name, p in [
            ("items", b + "tin-bai/"), ("items-page-2", b + "tin-bai/trang/2/"), ("units", b + "don-vi/"),
            ("tags", b + "chu-de/"), ("tally-index", b + "thong-ke/"), ("about", b + "gioi-thieu/"),
            ("contact", b + "lien-he/"), ("not-found", b + "404.html"),
        ]:
            if site.resolve(p)[0]:
                pages.append((name, p))
        tag = next((p for p in links_on(site, b + "chu-de/") if re.fullmatch(esc + r"chu-de/(?!trang/)[^/]+/", p)), None)
        kind = next((p for p in links_on(site, b + "mo-hinh/") if re.fullmatch(esc + r"mo-hinh/loai/[^/]+/", p)), None)
        older = next((p for p in links_on(site, b + "thong-ke/") if re.fullmatch(esc + r"thong-ke/\d{4}/", p)
                      and p != f"{b}thong-ke/{a.year}/"), None)
        for name, p in [("tag", tag), ("kind", kind), ("tally-older", older)]:
            if p:
                pages.append((name, p))
        # items whose body has a table or a picture (the Markdown renderer's output)
        found = set()
        for dirpath, dirnames, files in sorted(os.walk(os.path.join(site.out, "tin-bai"))):
            dirnames.sort()
            if "index.html" not in files or "trang" in rel(dirpath, site.out).split("/"):
                continue
            with open(os.path.join(dirpath, "index.html"), encoding="utf-8", errors="replace") as fh:
                text = fh.read()
            for what, needle in (("item-table", "<table"), ("item-figure", "<img")):
                if what not in found and needle in text.split("<main", 1)[-1]:
                    found.add(what)
                    pages.append((what, site.page_url_path(os.path.join(dirpath, "index.html"))))
    json.dump([{"name": n, "path": p} for n, p in pages], sys.stdout, ensure_ascii=False)
    print()
    return 0


# ---------------------------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("siteinfo")
    s.add_argument("--root", required=True)
    s = sub.add_parser("vnu")
    s.add_argument("--report", required=True)
    s.add_argument("--out", required=True)
    s.add_argument("--counts")
    s.add_argument("--limit", type=int, default=25, help="detail lines to print (default 25)")
    s.add_argument("--full", help="write every detail line to this file")
    for name in ("feeds", "links", "pages"):
        s = sub.add_parser(name)
        s.add_argument("--out", required=True)
        s.add_argument("--base-url", required=True)
        s.add_argument("--counts")
        s.add_argument("--label", default="")
        s.add_argument("--year", default=str(dt.date.today().year))
        s.add_argument("--extra", action="store_true", help="pages: also every other kind of page")
        s.add_argument("--limit", type=int, default=25, help="detail lines to print (default 25)")
        s.add_argument("--full", help="write every detail line to this file")
    a = ap.parse_args()
    return {
        "siteinfo": cmd_siteinfo,
        "vnu": cmd_vnu,
        "feeds": cmd_feeds,
        "links": cmd_links,
        "pages": cmd_pages,
    }[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
