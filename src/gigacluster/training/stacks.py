"""Software-stack capabilities from data (``data/stacks.yaml``), matched on a run's framework and year."""

from __future__ import annotations

import functools
from importlib import resources

import yaml
from pydantic import BaseModel, ConfigDict


class StackRule(BaseModel):
    """Capabilities of the stacks whose framework text contains one of ``keywords``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    keywords: tuple[str, ...] = ()
    before_year: int | None = None  # the rule holds for runs measured before this year (blank: always)
    tp_comm_overlap: bool = True


class StackTable(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    default: StackRule
    stacks: tuple[StackRule, ...]


@functools.cache
def load_stacks() -> StackTable:
    text = (resources.files("gigacluster.training") / "data" / "stacks.yaml").read_text(encoding="utf-8")
    return StackTable.model_validate(yaml.safe_load(text))


def stack_rule(framework: str | None, year: int | None) -> StackRule:
    """The first rule matching ``framework`` (case-insensitive keyword) and ``year``; else the default."""
    table, fw = load_stacks(), (framework or "").lower()
    for rule in table.stacks:
        in_time = rule.before_year is None or (year is not None and year < rule.before_year)
        if fw and in_time and any(k in fw for k in rule.keywords):
            return rule
    return table.default
