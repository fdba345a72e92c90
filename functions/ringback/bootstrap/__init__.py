"""The composition root: settings in, adapters built once, on first use.

Nothing heavy happens at import, so a cold start and test collection stay fast. Tests
build their own Services (with fakes or another endpoint) instead of patching this.

By concern: what the doors are handed (`container`: Services, Unconfigured), the domain
wired over any adapters (`assembly`), the adapters of AWS and the local stack
(`deployed`: build_services), the in-memory fakes (`in_memory`: build_memory_services),
and the process's current services and entry-point wrapper (`runtime`: services,
install, observed). Everything is imported from here, as before the split.
"""
from __future__ import annotations

from ringback.bootstrap.assembly import (
    assemble,
    with_accounts,
    with_callback_settings,
    with_reports,
    with_site_parts,
)
from ringback.bootstrap.container import Services, Unconfigured
from ringback.bootstrap.deployed import build_services
from ringback.bootstrap.in_memory import build_memory_services, with_memory_erasure
from ringback.bootstrap.runtime import install, observed, services

__all__ = [
    "Services", "Unconfigured", "assemble", "build_memory_services", "build_services", "install", "observed",
    "services", "with_accounts", "with_callback_settings", "with_memory_erasure", "with_reports",
    "with_site_parts",
]
