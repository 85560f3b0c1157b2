"""HTTP API fuzzing for tools/fuzz.py: request bodies generated from the app's own OpenAPI schema.

Each request body is built from the endpoint's request model as the app publishes it (``/openapi.json``):
every property gets a value from a pool for its JSON type, drawn around the schema's own bounds
(``maximum``, ``exclusiveMinimum``...) plus NaN / Infinity / 1e400 literals (Python's JSON parser, and so
FastAPI's, reads them), huge and negative numbers, wrong types, near-miss catalog ids, very long strings,
missing required fields and unknown fields; a few bodies are not JSON objects at all. Half the time a
property keeps a plausible value (its default or a catalog id) so that requests also get past validation.

An invocation is ``["api", NAME, BODY]``: ``POST /api/NAME`` with BODY (``GET`` for the read-only
endpoints), sent in-process through ``fastapi.testclient`` (no server, no port). Outcomes:

* 2xx with finite, non-negative JSON: ok; NaN / Infinity / a negative figure in a 2xx body: non-finite output;
* 4xx with a JSON ``detail`` naming the field (``loc``) in a one-line message: clean error; a 4xx
  without a field or with a multi-line message: multi-line error;
* 5xx (an unhandled exception; the test client re-raises it, so the campaign records the traceback):
  traceback; 504 (the server's own time limit): timeout.
"""

from __future__ import annotations

import functools
import json
import random
from typing import Any

API = "api"
SERVER_TIMEOUT_S = 3600.0
GETS = ("scenarios", "options", "limits")
FAST_SKIP = {"plan", "train", "serve", "validate"}  # seconds per request: not in the in-suite sample
# Work-heavy fields get small values in fast mode (the in-suite sample).
FAST_CAPS: dict[str, list[Any]] = {"jobs": [50, 200, 0, -3, "abc"], "replications": [10, 50, 0, -1, 1e3],
                                   "gpus@schedule": [64, 512, 0, -8, 100], "days@reliability": [1, 0.5, 0, -1]}
# Plausible values of fields without a default (or with a heavy one), so that requests also run.
SANE: dict[str, list[Any]] = {"gpus": [1024, 16384], "gpus@schedule": [512, 4096], "days": [1, 30],
                              "jobs": [2000], "replications": [100], "accelerators": [1000, 100_000],
                              "facility_mw": [100, 1000], "it_mw": [50], "budget_usd": [1e9], "tokens": [1e12],
                              "users": [1e6], "rate_rps": [10, 1000], "gpu_hours": [1e6]}
CLEAN_ALWAYS = {"scenario", "gpu_hours"}  # given in every all-plausible body (a sizing, a run to cost)
NUMBERS: list[Any] = [0, 1, -1, 2, 8, 1024, 10**6, 10**8, 2**31, 2**63 - 1, 2**63, -(2**63) - 1, 10**23, 0.5,
                      -5.0, 1e-9, 5e-324, 1e30, 1e308, float("nan"), float("inf"), float("-inf"), "1e400"]
WRONG: list[Any] = ["abc", "", True, None, [1], {"a": 1}, "16k"]
STRINGS: list[Any] = ["", "abc", "x" * 5000, "../" * 50, "/etc/passwd", "none", "auto", "nan", 1, None]
NAMED = {"model": "models", "accelerator": "accelerators", "scenario": "scenarios", "trace": "traces",
         "policy": "policies", "failure_profile": "failure_profiles", "profile": "failure_profiles"}
NOT_UTF8 = "<not UTF-8>"  # this body is sent as the bytes b'{"a": "\xff"}'
RAW = "__raw__"  # a string value "__raw__1e400" is written into the body as the bare token 1e400


@functools.cache
def openapi() -> dict[str, Any]:
    """The app's published schema (built without starting the server)."""
    from gigacluster.web.app import create_app

    schema: dict[str, Any] = create_app().openapi()
    return schema


@functools.cache
def names() -> dict[str, list[str]]:
    """The catalog names the request fields accept (the app's ``/api/options``)."""
    from gigacluster.web.endpoints import options

    return {k: list(v) for k, v in options().model_dump().items()}


def endpoints() -> dict[str, dict[str, Any] | None]:
    """``name -> request schema`` for every POST endpoint, ``None`` for the GET ones."""
    out: dict[str, dict[str, Any] | None] = {}
    for path, ops in openapi()["paths"].items():
        name = path.removeprefix("/api/")
        if "post" in ops:
            out[name] = _deref(ops["post"]["requestBody"]["content"]["application/json"]["schema"])
        elif name in GETS:
            out[name] = None
    return out


def _deref(s: dict[str, Any]) -> dict[str, Any]:
    ref = s.get("$ref")
    return _deref(openapi()["components"]["schemas"][ref.rsplit("/", 1)[1]]) if ref else s


def near_miss(name: str, rng: random.Random) -> str:
    """A typo of ``name``: a dropped, doubled or swapped character, or a case change."""
    if len(name) < 2:
        return name + "x"
    i = rng.randrange(len(name) - 1)
    return rng.choice([name[:i] + name[i + 1:], name[:i] + name[i] + name[i:], name[:i] + name[i + 1] + name[i]
                       + name[i + 2:], name.upper(), name + "-"])


def _bounds(s: dict[str, Any]) -> list[Any]:
    """Values at and just past the schema's own bounds."""
    out: list[Any] = []
    for key in ("maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum"):
        if key in s:
            b = s[key]
            step = max(abs(b) * 1e-9, 1 if s.get("type") == "integer" else 1e-9)
            out += [int(b) if s.get("type") == "integer" else b, (int(b) if s.get("type") == "integer" else b)
                    + (step if key.endswith(("maximum", "Maximum")) else -step)]
    return out


def value(s: dict[str, Any], field: str, rng: random.Random, depth: int = 0) -> Any:
    """A value for a property of schema ``s`` (bad about half the time)."""
    s = _deref(s)
    if "anyOf" in s:
        return value(rng.choice(s["anyOf"]), field, rng, depth)
    if rng.random() < 0.08:
        return rng.choice(WRONG)
    kind = s.get("type")
    if "enum" in s:
        return rng.choice([*s["enum"], *s["enum"], near_miss(str(s["enum"][0]), rng), ""])
    if kind in ("integer", "number"):
        pool = NUMBERS + _bounds(s) * 3
        v = rng.choice(pool)
        return RAW + v if isinstance(v, str) else v
    if kind == "boolean":
        return rng.choice([True, False, 0, 1, "yes", "maybe"])
    if kind == "string":
        catalog = names().get(NAMED.get(field, ""), [])
        if catalog and rng.random() < 0.75:
            pick = rng.choice(catalog)
            return pick if rng.random() < 0.7 else near_miss(pick, rng)
        return rng.choice(STRINGS)
    if kind == "array":
        item = s.get("items", {})
        return [value(item, field, rng, depth + 1) for _ in range(rng.randint(0, 3))]
    if kind == "object" or "properties" in s:
        return _object(s, rng, depth + 1) if depth < 3 else {}
    return rng.choice(WRONG)


def _plausible(name: str, field: str, s: dict[str, Any], rng: random.Random, fast: bool,
               bad: float) -> tuple[bool, Any]:
    cap = FAST_CAPS.get(f"{field}@{name}") or FAST_CAPS.get(field)
    if fast and cap:
        return True, rng.choice(cap if bad else cap[:2])
    sane = SANE.get(f"{field}@{name}") or SANE.get(field)
    if sane:
        return True, rng.choice(sane)
    catalog = names().get(NAMED.get(field, ""), [])
    if catalog:
        return True, rng.choice(catalog)
    if "default" in s:
        return True, s["default"]
    return False, None


def _object(s: dict[str, Any], rng: random.Random, depth: int, name: str = "", fast: bool = False,
            bad: float = 0.35) -> dict[str, Any]:
    """A body of properties of ``s``: each given about a fifth of the time (required ones almost always),
    bad (from :func:`value`) with probability ``bad``, else plausible (a catalog id, a default)."""
    props: dict[str, Any] = s.get("properties", {})
    required = set(s.get("required", ()))
    body: dict[str, Any] = {}
    for field, ps in props.items():
        forced = fast and (field in FAST_CAPS or f"{field}@{name}" in FAST_CAPS) or (not bad and field in CLEAN_ALWAYS)
        if field in required and rng.random() < 0.97 or forced or rng.random() < 0.2:
            sane, v = _plausible(name, field, _deref(ps), rng, fast, bad)
            if not sane and not bad:
                continue
            body[field] = v if sane and rng.random() >= bad else value(ps, field, rng, depth)
    if props and bad and rng.random() < 0.1:
        body[near_miss(rng.choice(sorted(props)), rng) if rng.random() < 0.7 else "bogus"] = 1
    return body


def body(name: str, s: dict[str, Any], rng: random.Random, fast: bool = False) -> str:
    """A request body for endpoint ``name`` (JSON text; NaN / Infinity / 1e400 as bare tokens)."""
    if rng.random() < 0.04:
        return rng.choice(["", "{", "[]", "null", "1", '"x"', "{}", '{"a": }', NOT_UTF8])
    bad = 0.0 if rng.random() < 0.35 else 0.35  # about a third of the bodies are plausible throughout
    text = json.dumps(_object(s, rng, 0, name, fast, bad))  # allow_nan: NaN and Infinity as bare tokens
    return text.replace(f'"{RAW}', "").replace('1e400"', "1e400")


def generate(n: int, seed: int, fast: bool = False) -> list[list[str]]:
    """``n`` distinct API invocations ``["api", NAME, BODY]``, deterministic in ``seed``."""
    rng = random.Random(f"api-{seed}")
    eps = {k: v for k, v in endpoints().items() if not (fast and k in FAST_SKIP)}
    order = sorted(eps)
    out: list[list[str]] = []
    seen: set[tuple[str, ...]] = set()
    for _ in range(50 * n):
        if len(out) == n:
            break
        name = rng.choice(order)
        schema = eps[name]
        args = [API, name, "" if schema is None else body(name, schema, rng, fast)]
        if tuple(args) not in seen:
            seen.add(tuple(args))
            out.append(args)
    return out


@functools.cache
def _client() -> Any:
    """One in-process client (created in the process that sends: the campaign's forked child, or the test)."""
    from fastapi.testclient import TestClient

    from gigacluster.web.app import create_app
    from gigacluster.web.limits import WebLimits

    # The campaign's CPU-time limit judges slowness; the server's wall-clock limit would judge the machine's load.
    app = create_app(WebLimits(timeout_s=SERVER_TIMEOUT_S))
    return TestClient(app)  # raise_server_exceptions: a 500 re-raises here, with its traceback


def call(args: list[str]) -> tuple[int, str, str]:
    """Send one API invocation: (exit-code-like status, ``HTTP <code>\\n<body>``, '')."""
    name, text = args[1], args[2]
    client = _client()
    if name in GETS:
        r = client.get(f"/api/{name}")
    else:
        r = client.post(f"/api/{name}", content=b'{"a": "\xff"}' if text == NOT_UTF8 else text.encode(),
                        headers={"content-type": "application/json"})
    rc = 0 if r.status_code < 400 else 2 if r.status_code < 500 else 1
    return rc, f"HTTP {r.status_code}\n{r.text}", ""


def _strict(text: str) -> Any:
    def refuse(token: str) -> Any:
        raise ValueError(token)

    return json.loads(text, parse_constant=refuse)


def classify(out: str, negative: Any, non_finite: Any) -> str:
    """The outcome of one API answer (``negative`` / ``non_finite``: the campaign's JSON checks)."""
    head, _, text = out.partition("\n")
    status = int(head.split()[1])
    if status == 504:
        return "timeout"
    if status >= 500:
        return "traceback"
    try:
        doc = _strict(text)
    except ValueError:
        return "non-finite output" if status < 400 else "multi-line error"
    if status < 400:
        return "non-finite output" if non_finite(doc) or negative(doc) else "ok"
    detail = doc.get("detail") if isinstance(doc, dict) else None
    first = detail[0] if isinstance(detail, list) and detail and isinstance(detail[0], dict) else {}
    msg, loc = str(first.get("msg", "")), first.get("loc") or []
    return "clean error" if loc and msg and "\n" not in msg else "multi-line error"


def summary_line(out: str) -> str:
    """``<code> <field>: <message>`` of an error answer (for the log)."""
    head, _, text = out.partition("\n")
    try:
        detail = json.loads(text).get("detail")
        first = detail[0] if isinstance(detail, list) else {"msg": detail}
        return f"{head.split()[1]} {'.'.join(str(p) for p in first.get('loc', []))}: {first.get('msg', '')}"[:300]
    except (ValueError, AttributeError, IndexError, TypeError):
        return f"{head.split()[1] if ' ' in head else head} {text[:200]}"
