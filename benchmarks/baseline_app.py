"""The baseline for page benchmarks: a bare Flask app rendering a 50-row table."""

from __future__ import annotations

from flask import Flask

app = Flask(__name__)
ROWS = [
    {"n": n, "title": f"Module {n}", "status": "Completed" if n % 2 else "Not started"}
    for n in range(50)
]
SOURCE = """<!doctype html><html lang="en"><head><title>Baseline</title></head><body><main>
<h1>Baseline</h1><table><caption>Rows</caption><thead><tr><th>#</th><th>Title</th>
<th>Status</th></tr></thead><tbody>{% for r in rows %}<tr><td>{{ r.n }}</td><td>{{ r.title }}</td>
<td>{{ r.status }}</td></tr>{% endfor %}</tbody></table></main></body></html>"""


PAGE = app.jinja_env.from_string(SOURCE)  # compiled once, as render_template would cache it


@app.route("/")
def table() -> str:
    return PAGE.render(rows=ROWS)
