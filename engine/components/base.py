"""What every simulated component shares: its node, its props with defaults, its random stream, the
run-time edge it is wired by, and the small interface (Host) it may use of the run that holds it."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Protocol

from engine import registry

if TYPE_CHECKING:
    from engine.kernel import Kernel
    from engine.model import Edge, Node


class EdgeRt:
    """An edge at run time: an index for compact transfers and its latency in seconds."""

    __slots__ = ("index", "id", "source", "target", "latency", "props")

    def __init__(self, index: int, edge: "Edge", latency_s: float, props: dict) -> None:
        self.index, self.id = index, edge.id
        self.source, self.target = edge.source, edge.target
        self.latency, self.props = latency_s, props


class Host(Protocol):
    """What a component may use of the run that holds it (engine.world.World is the one host):
    the clock, the other components, the transfer recorder and the activity log."""

    kernel: "Kernel"
    components: dict[str, "Component"]
    instances: dict[str, Any]
    rec: Callable[[tuple], None]
    meter: Any   # engine.costs.meter.Meter

    def hop(self, edge: EdgeRt, instance_no: int, kind: int, handler: Callable[[Any], None],
            payload: Any) -> None: ...

    def edge_prop(self, edge: EdgeRt, name: str) -> Any: ...

    def next_instance_no(self) -> int: ...

    def log(self, node: str, kind: str, text: str) -> None: ...


class Component:
    kind = ""

    def __init__(self, world: Host, node: "Node") -> None:
        self.world = world
        self.kernel = world.kernel
        self.id = node.id
        self.name = node.name
        # Canonical values (defaults filled in, numbers as floats); the document keeps what was written.
        self.props: dict[str, Any] = {p.name: p.check(node.prop(p.name)) for p in registry.KINDS[node.kind].props}
        self.rng = world.kernel.stream(node.id)

    # -- wiring (called once per edge while the world is built) -------------------------------
    def connect_out(self, edge: EdgeRt, target: "Component") -> None:
        pass

    def connect_in(self, edge: EdgeRt, source: "Component") -> None:
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
