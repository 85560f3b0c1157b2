"""Reports of a plan: the self-contained HTML page with inline SVG charts, and plan.json."""

from gigacluster.report.html import render_report, write_report

__all__ = ["render_report", "write_report"]
