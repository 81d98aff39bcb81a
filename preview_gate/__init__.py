"""Offline preview gate: runs a Pulumi Python program under mocks and drives the policy pack over
the engine's analyzer protocol, returning rulebook findings."""

from .gate import GateConfigError, default_pack_dir, run_gate
from .inventory import inventory_of

__all__ = ["run_gate", "inventory_of", "default_pack_dir", "GateConfigError"]
