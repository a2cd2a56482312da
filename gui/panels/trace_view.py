"""The Trace panel: one request's or message's life as a waterfall (a bar per hop, backlog wait and
service told apart) and as a story in sentences, Packet Tracer style. It shows plain trace data
(FORMAT.md 4.3) handed over by the engine's batches, or the evidence of a clicked activity."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QLabel, QSizePolicy, QTextBrowser, QVBoxLayout, QWidget

from gui import theme
from gui.panels.activity import clock_text

ROW_H, LABEL_W, PAD = 22, 118, 8
STATUS_TONES = {"200": "healthy", "deleted": "healthy", "timeout": "unhealthy", "dead_lettered": "unhealthy",
                "dropped": "unhealthy", "expired": "warning", "filtered_out": "muted", "in_flight": "accent"}


def status_tone(status: str) -> str:
    if status in STATUS_TONES:
        return STATUS_TONES[status]
    return "unhealthy" if status[:1] in ("4", "5") else "muted"


def bars(trace: dict[str, Any]) -> list[tuple[str, float, float, float, str]]:
    """(label, start, end, end of the wait part, tone) per hop that takes time or marks a moment."""
    out = []
    end_s = trace.get("end_s")
    for hop in trace.get("hops", []):
        start = hop.get("arrive_s")
        if start is None:
            continue
        end = hop.get("depart_s")
        if end is None:
            end = end_s if end_s is not None else start
        label = hop.get("instance") or hop.get("node", "")
        waited = start + (hop.get("wait_s") or 0.0) if "wait_s" in hop else start
        out.append((label, start, max(end, start), min(waited, max(end, start)), "accent"))
    return out


class Waterfall(QWidget):
    """One bar per hop on a shared time axis from the trace's start to its end: the light part is
    time waiting (in a backlog, in a queue), the solid part is service."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.trace: dict[str, Any] | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumHeight(ROW_H * 2)

    def set_trace(self, trace: dict[str, Any] | None) -> None:
        self.trace = trace
        rows = len(bars(trace)) if trace else 0
        self.setFixedHeight(PAD * 2 + ROW_H * (rows + 2) if trace else 0)
        self.update()

    def span(self) -> tuple[float, float]:
        t = self.trace or {}
        t0 = t.get("t0_s", 0.0)
        ends = [b[2] for b in bars(t)]
        t1 = t.get("end_s") or max(ends, default=t0)
        return t0, max(t1, t0 + 1e-6)

    def paintEvent(self, event: QPaintEvent) -> None:
        if not self.trace:
            return
        th = theme.current()
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setFont(theme.ui_font(9))
        t0, t1 = self.span()
        width = max(20.0, self.width() - LABEL_W - 2 * PAD)

        def x_of(t: float) -> float:
            return LABEL_W + PAD + (t - t0) / (t1 - t0) * width
        y = PAD
        p.setPen(th.color("muted"))
        p.drawText(QRectF(PAD, y, LABEL_W - 4, ROW_H), Qt.AlignmentFlag.AlignVCenter,
                   f"{1000 * (t1 - t0):.1f} ms total")
        self._legend(p, th)
        status = self.trace.get("outcome", {}).get("status", "")
        tone = th.color(status_tone(status))
        p.fillRect(QRectF(x_of(t0), y + ROW_H / 2 - 1, width, 2), th.color("border"))
        p.setBrush(tone)
        p.setPen(Qt.PenStyle.NoPen)
        p.drawEllipse(QRectF(x_of(t1) - 5, y + ROW_H / 2 - 5, 10, 10))
        for label, start, end, waited, _ in bars(self.trace):
            y += ROW_H
            p.setPen(th.color("text"))
            p.drawText(QRectF(PAD, y, LABEL_W - 4, ROW_H), Qt.AlignmentFlag.AlignVCenter, label)
            self._bar(p, x_of(start), x_of(waited), y, th.color("warning", 0.45))
            self._bar(p, x_of(waited), x_of(end), y, th.color("accent"))
        p.end()

    def _legend(self, p: QPainter, th: theme.Theme) -> None:
        """Which part of a bar is waiting and which is service, under the bars."""
        y = PAD + ROW_H * (len(bars(self.trace)) + 1)
        x = float(LABEL_W + PAD)
        for label, colour in (("waiting", th.color("warning", 0.45)), ("service", th.color("accent"))):
            self._bar(p, x, x + 14, y, colour)
            p.setPen(th.color("muted"))
            p.drawText(QRectF(x + 18, y, 160, ROW_H), Qt.AlignmentFlag.AlignVCenter, label)
            x += 60 + 7 * len(label)

    @staticmethod
    def _bar(p: QPainter, x0: float, x1: float, y: float, colour: QColor) -> None:
        if x1 - x0 < 0.5:
            x1 = x0 + 2.0     # an instant still shows as a tick
        p.setPen(QPen(colour.darker(130), 1))
        p.setBrush(colour)
        p.drawRoundedRect(QRectF(x0, y + 5, x1 - x0, ROW_H - 10), 2, 2)


def story(trace: dict[str, Any], names: dict[str, str]) -> list[str]:
    """The trace in sentences, in time order."""
    def name(node_id: str) -> str:
        return names.get(node_id, node_id)
    lines = [f"{clock_text(trace['t0_s'])} {name(trace['origin'])} sends "
             f"{'request' if trace['kind'] == 'request' else 'message'} {trace['id']}."]
    for d in trace.get("deliveries") or []:
        verdict = "matched" if d["matched"] else "filtered out"
        tries = f", {d['attempts']} delivery tr{'y' if d['attempts'] == 1 else 'ies'}" if d["matched"] else ""
        lines.append(f"Subscription {d['edge']} → {name(d.get('endpoint', ''))}: {verdict} ({d['reason']}){tries}.")
    for hop in trace.get("hops", []):
        lines.append(_hop_sentence(hop, name))
    for r in trace.get("receives") or []:
        lines.append(f"{clock_text(r['t_s'])} received by {r['consumer'] or 'a consumer'} from {name(r['queue'])} "
                     f"(receive {r['receive_count']}, invisible until {clock_text(r['visible_at_s'])}): "
                     f"{r['outcome'] or 'in progress'}.")
    outcome = trace.get("outcome", {})
    if trace.get("end_s") is not None:
        lines.append(f"{clock_text(trace['end_s'])} Outcome {_outcome_words(outcome)} "
                     f"({1000 * (trace['end_s'] - trace['t0_s']):.1f} ms after it was sent).")
    else:
        lines.append("Still on its way: the trace fills in as it moves.")
    if trace.get("sampled") is False:
        lines.append("This one was not sampled, so only its outcome is known in detail.")
    return lines


def _outcome_words(outcome: dict[str, Any]) -> str:
    status, reason = outcome.get("status", ""), outcome.get("reason", "")
    return reason if reason.startswith(status) else f"{status}: {reason}"


def _hop_sentence(hop: dict[str, Any], name) -> str:
    when = clock_text(hop["arrive_s"]) + " " if hop.get("arrive_s") is not None else ""
    if "instance" in hop:
        text = f"{when}{hop['instance']} takes it"
        if hop.get("note"):
            text += f" ({hop['note']})"
        wait, service = hop.get("wait_s") or 0.0, hop.get("service_s") or 0.0
        if hop.get("depart_s") is not None:
            text += f": waited {1000 * wait:.1f} ms, served {1000 * service:.1f} ms"
        return text + "."
    if hop.get("decision"):
        return f"{when}{name(hop['node'])}: {hop['decision']}."
    return f"{when}at {name(hop['node'])}."


def evidence_lines(activity: dict[str, Any]) -> list[str]:
    """An activity's evidence in sentences: the datapoints or the health checks behind it."""
    ev = activity.get("evidence") or {}
    lines = [f"{clock_text(activity.get('t_s', 0.0))} {activity.get('text', '')}"]
    if "datapoints" in ev:
        breaching = ev["datapoints"][-ev["breaching"]:] if ev.get("breaching") else []
        lines.append(f"Metric {ev['metric']}, threshold {ev['threshold']:g}, one datapoint per {ev['period_s']:g} s; "
                     f"the last {len(breaching)} decided (highlighted on the chart):")
        for a, b, v in ev["datapoints"]:
            mark = "  ◀ breaching" if [a, b, v] in breaching else ""
            lines.append(f"  {clock_text(a)}–{clock_text(b)}: {'no data' if v is None else f'{v:.1f}'}{mark}")
    for t, lb, inst, ok, why in ev.get("probes", []):
        lines.append(f"  {clock_text(t)} health check by {lb} of {inst}: {'passed' if ok else 'FAILED, ' + why}")
    if not ev:
        lines.append("No recorded evidence for this activity.")
    return lines


class TracePanel(QWidget):
    """The dock's content: a heading, the waterfall and the story."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.names: dict[str, str] = {}
        self.trace: dict[str, Any] | None = None
        self.heading = QLabel("Click a moving dot, or an event, to see why it went where it went.")
        self.heading.setWordWrap(True)
        self.heading.setFont(theme.ui_font(11, bold=True))
        self.waterfall = Waterfall()
        self.text = QTextBrowser()
        self.text.setOpenLinks(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 8)
        layout.addWidget(self.heading)
        layout.addWidget(self.waterfall)
        layout.addWidget(self.text, 1)

    def show_trace(self, trace: dict[str, Any], note: str = "") -> None:
        self.trace = trace
        outcome = trace.get("outcome", {})
        reason = outcome.get("reason", "") or outcome.get("status", "")
        self.heading.setText(f"{trace['id']}: {reason}")
        self.heading.setStyleSheet(f"color: {theme.current().color(status_tone(outcome.get('status', ''))).name()}")
        self.waterfall.set_trace(trace)
        lines = ([note] if note else []) + story(trace, self.names)
        self.text.setPlainText("\n".join(lines))

    def show_evidence(self, activity: dict[str, Any]) -> None:
        self.trace = None
        self.heading.setText(f"Why: {activity.get('text', '')}")
        self.heading.setStyleSheet("")
        self.waterfall.set_trace(None)
        self.waterfall.setFixedHeight(0)
        self.text.setPlainText("\n".join(evidence_lines(activity)))
