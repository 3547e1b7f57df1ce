"""Sampling: the head sampler the SDK consults and the selector stage that decides what is exported."""

from __future__ import annotations

from otelward.sampling._build import build_head_sampler, build_selector

__all__ = ["build_head_sampler", "build_selector"]
