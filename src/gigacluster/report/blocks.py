"""HTML building blocks for the report: sections, figures, grids and tables (all text escaped)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape


def section(anchor: str, title: str, parts: Sequence[str]) -> str:
    """A titled report section."""
    body = "\n".join(p for p in parts if p)
    return f'<section id="{escape(anchor)}">\n<h2>{escape(title)}</h2>\n{body}\n</section>'


def figure(title: str, chart: str, caption: str = "") -> str:
    """A chart with its heading and an optional caption."""
    cap = f"<figcaption>{escape(caption)}</figcaption>" if caption else ""
    return f'<figure><h3>{escape(title)}</h3>{chart}{cap}</figure>'


def grid(parts: Sequence[str]) -> str:
    """Lay fragments out side by side (two columns on a wide page)."""
    cells = "".join(f"<div>{p}</div>" for p in parts if p)
    return f'<div class="grid">{cells}</div>' if cells else ""


def kv_table(rows: Sequence[tuple[str, str]], title: str = "") -> str:
    """A two-column label / value table; values are already formatted text."""
    if not rows:
        return ""
    head = f"<caption>{escape(title)}</caption>" if title else ""
    body = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in rows)
    return f'<table class="kv">{head}{body}</table>'


def data_table(headers: Sequence[str], rows: Sequence[Sequence[str]], title: str = "") -> str:
    """A table with a header row; cells are already formatted text."""
    if not rows:
        return ""
    head = f"<caption>{escape(title)}</caption>" if title else ""
    ths = "".join(f"<th>{escape(h)}</th>" for h in headers)
    trs = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="data">{head}<thead><tr>{ths}</tr></thead><tbody>{trs}</tbody></table>'


def responsive(wide: str, narrow: str) -> str:
    """One chart drawn twice: at desktop width and at phone width (CSS shows one), so its text keeps
    its size on a 390 px screen instead of shrinking with the SVG's viewBox."""
    return f'<div class="wide">{wide}</div><div class="narrow">{narrow}</div>'
