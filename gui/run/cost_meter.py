"""The live cost meter: dollars per hour now and the total so far in the run toolbar, and a cost
line in each billed node's tooltip. Everything comes from the cost series the engine samples
(engine.costs.bill.sample) and hands over in its batches: the GUI never reads engine objects."""
from __future__ import annotations

from typing import Any, Callable, Mapping

from PySide6.QtWidgets import QLabel, QWidget

from engine.costs import prices
from engine.costs.bill import COST_SERIES
from gui import theme

COST_LINE = "Cost so far: "


def dollars(value: float) -> str:
    """$0.0421, $1.87, $1,234: cents only where they matter, at least two significant digits."""
    if value >= 100:
        return f"${value:,.0f}"
    if value >= 1:
        return f"${value:,.2f}"
    return f"${value:.4f}"


class CostMeter(QLabel):
    """"$0.14/h · $0.0421 so far" in the toolbar; the tooltips of the nodes it is given follow."""

    def __init__(self, items: Callable[[], Mapping[str, Any]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._items = items            # node id -> canvas item (the scene's map), asked when needed
        self.total_usd = self.per_hour_usd = 0.0
        self.t_s = 0.0                 # simulated time of the figures shown
        self.by_node: dict[str, float] = {}
        self.setFont(theme.ui_font(12, bold=True))
        self.setToolTip(f"What the run has cost so far and costs per hour now ({prices.label()} on-demand "
                        "list prices, no free tier)")
        self.restyle()
        self.reset()

    def reset(self) -> None:
        self.total_usd = self.per_hour_usd = self.t_s = 0.0
        self.by_node = {}
        self.setText(self._text())
        self._tooltips()

    def ingest(self, series: Mapping[str, Any]) -> None:
        """Take the newest cost points of a batch's series (nothing to do when it has none)."""
        run = series.get(COST_SERIES) or {}
        if not run.get("total_usd"):
            return
        self.total_usd, self.per_hour_usd = run["total_usd"][-1], run["per_hour_usd"][-1]
        self.t_s = series["t_s"][-1]
        self.by_node = {nid: values["cost_usd"][-1] for nid, values in series.items()
                        if isinstance(values, dict) and values.get("cost_usd")}
        self.setText(self._text())
        self._tooltips()

    def setText(self, text: str) -> None:
        """Never squeezed by the toolbar: as wide as its text (and the widest it has had)."""
        super().setText(text)
        self.setMinimumWidth(max(self.minimumWidth(), self.fontMetrics().horizontalAdvance(text) + 24))

    def _text(self) -> str:
        if not self.total_usd:
            return "$ —/h  ·  $ — so far"   # before the run's first sample
        return f"{dollars(self.per_hour_usd)}/h  ·  {dollars(self.total_usd)} so far"

    def _tooltips(self) -> None:
        for node_id, item in self._items().items():
            base = "\n".join(line for line in item.toolTip().split("\n") if not line.startswith(COST_LINE))
            usd = self.by_node.get(node_id)
            item.setToolTip(base if usd is None else f"{base}\n{COST_LINE}{dollars(usd)}")

    def restyle(self) -> None:
        self.setStyleSheet(f"color: {theme.current().text}; padding: 0 10px;")
