"""What every simulated component shares: its node, its props with defaults, its random stream."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine import registry

if TYPE_CHECKING:
    from engine.model import Node
    from engine.world import EdgeRt, World


class Component:
    kind = ""

    def __init__(self, world: "World", node: "Node") -> None:
        self.world = world
        self.kernel = world.kernel
        self.id = node.id
        self.name = node.name
        # Canonical values (defaults filled in, numbers as floats); the document keeps what was written.
        self.props: dict[str, Any] = {p.name: p.check(node.prop(p.name)) for p in registry.KINDS[node.kind].props}
        self.rng = world.kernel.stream(node.id)

    # -- wiring (called once per edge while the world is built) -------------------------------
    def connect_out(self, edge: "EdgeRt", target: "Component") -> None:
        pass

    def connect_in(self, edge: "EdgeRt", source: "Component") -> None:
        pass

    def start(self) -> None:
        """Called once every edge is wired: schedule the first events."""

    # -- live changes ---------------------------------------------------------------------------
    def set_prop(self, name: str, value: Any) -> None:
        self.props[name] = registry.KINDS[self.kind].prop(name).check(value)
        self.on_prop_changed(name)

    def on_prop_changed(self, name: str) -> None:
        pass

    # -- reporting --------------------------------------------------------------------------------
    def totals(self) -> dict[str, Any]:
        return {}

    def sample(self, interval: float) -> dict[str, float]:
        """Values for the time series, over the interval that just ended."""
        return {}

    def state(self) -> dict[str, Any]:
        """A small snapshot for the live view's badges."""
        return {}

    def log(self, kind: str, text: str) -> None:
        self.world.log(self.id, kind, text)
