#!/usr/bin/env python3
"""Checks the rendered API docs (target/doc/aitoearn) the way a reader sees them.

Fails on: site-relative links (they 404 off the docs site), backslash-escaped brackets shown
inside code, raw `{{placeholder}}`s, `ErrorCode` variants not in English first, a method of
`Client` not linked from the `by_tag` page, a method whose doc does not say what `send()`
gives. Reports (without failing) the types whose doc is only their own name.
Prints the counts; `--counts-only` never fails (for before/after figures).
"""
import glob, html, json, os, re, sys

root = sys.argv[1] if len(sys.argv) > 1 and not sys.argv[1].startswith("-") else "target/doc/aitoearn"
counts_only = "--counts-only" in sys.argv
pages = [p for p in glob.glob(os.path.join(root, "**", "*.html"), recursive=True)]
main = lambda t: t.split('<section id="main-content"', 1)[-1]

site_relative, escaped, raw_placeholders = [], [], []
for p in pages:
    t = main(open(p, encoding="utf-8").read())
    rel = os.path.relpath(p, root)
    site_relative += [f"{rel}: {h}" for h in re.findall(r'href="(/[^"]*)"', t)]
    escaped += [f"{rel}: {html.unescape(c)}" for c in re.findall(r"<code>([^<]*\\[\[\]][^<]*)</code>", t)]
    # Outside code blocks (std's docs, shown through `Deref`, have `{{` in format strings).
    prose = re.sub(r"<[^>]+>", "", re.sub(r"<pre.*?</pre>", "", t, flags=re.S))
    raw_placeholders += [f"{rel}: {m}" for m in re.findall(r"\{\{\s*[A-Za-z_]\w*\s*\}\}", prose)]

name_only = []
for p in glob.glob(os.path.join(root, "types", "*.html")):
    name = os.path.basename(p).split(".")[1]
    m = re.search(r'<details class="toggle top-doc" open>.*?<div class="docblock">(.*?)</div></details>',
                  open(p, encoding="utf-8").read(), re.S)
    text = re.sub(r"<[^>]+>", "", m.group(1)).strip() if m else ""
    if text in ("", name):
        name_only.append(name)

# ErrorCode: each variant's doc starts with `code`: and English (ASCII) where it has text.
not_english = []
p = os.path.join(root, "enum.ErrorCode.html")
if os.path.exists(p):
    t = open(p, encoding="utf-8").read()
    for vid, doc in re.findall(r'<section id="variant\.(\w+)".*?</section>\s*<div class="docblock">(.*?)</div>', t, re.S):
        first = re.sub(r"<[^>]+>", "", doc.split("</p>")[0])
        first = re.sub(r"^\s*\d+:\s*", "", html.unescape(first))
        if vid != "Unknown" and not first.isascii():
            not_english.append(f"{vid}: {first}")

# by_tag links every method of Client; every method doc names what send() gives.
unlinked, no_returns = [], []
client = os.path.join(root, "struct.Client.html")
by_tag = os.path.join(root, "by_tag", "index.html")
if os.path.exists(client) and os.path.exists(by_tag):
    c = open(client, encoding="utf-8").read()
    b = open(by_tag, encoding="utf-8").read()
    ops = json.load(open(os.environ["OPERATIONS_JSON"])) if os.environ.get("OPERATIONS_JSON") else None
    for name in re.findall(r'<section id="method\.(\w+)" class="method">', c):
        block = c.split(f'id="method.{name}"', 1)[1].split('<section id="method.', 1)[0]
        if "which gives" not in block:
            continue  # hand-written methods (builder, call, flows)
        if f"method.{name}" not in b:
            unlinked.append(name)
        if "<strong>Errors</strong>" not in block:
            no_returns.append(name)
else:
    unlinked.append("(no struct.Client.html or by_tag/index.html)")

report = {
    "site-relative links": site_relative,
    "escaped brackets in code": escaped,
    "raw {{placeholders}}": raw_placeholders,
    "ErrorCode variants not in English first": not_english,
    "Client methods missing from by_tag": unlinked,
    "methods whose doc lacks its errors": no_returns,
}
failed = False
for k, v in report.items():
    print(f"check-docs: {k}: {len(v)}")
    for x in v[:10]:
        print(f"    {x}")
    failed |= bool(v)
print(f"check-docs: types whose doc is only their name (reported, not failed): {len(name_only)} of "
      f"{len(glob.glob(os.path.join(root, 'types', '*.html')))}")
sys.exit(1 if failed and not counts_only else 0)
