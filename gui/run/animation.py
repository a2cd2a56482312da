"""Dots from transfers: a numpy buffer of transfers in flight, mapped to positions on the GUI clock.

The engine sends transfers (edge, instance, departure, arrival, kind), never positions. Each frame
the view's simulated time `t` picks the transfers in flight and `positions_via` places them on
their route. A hop shorter than `MIN_VISIBLE_WALL_S` of wall time is drawn over that long, so
zero-latency hops are still seen. Above `cap` dots, only every `stride`-th transfer is kept and
the legend says how many transfers one dot stands for; the stride also keeps the busiest edge from
turning into a solid line of dots.
"""
from __future__ import annotations

import numpy as np

from engine.traffic import BACKWARD_KINDS

MIN_VISIBLE_WALL_S = 0.45
DEFAULT_DOT_CAP = 3000
COMPACT_SHARE = 0.2     # compact the transfer buffer once a fifth of it has ended
LANE_OFFSET = 3.5       # scene units each direction of travel sits beside the edge line
DOT_SPACING = 10.0      # scene units between dots on the busiest edge before sampling starts
NICE_STRIDES = tuple(m * 10 ** e for e in range(7) for m in (1, 2, 5))
LEAD_WALL_S = 0.03      # the view trails the engine by this much wall time, so dots start at the start
STRIDE_EVERY_FRAMES = 6  # the sampling stride is reconsidered about ten times a second
SNAP_WALL_S = 0.35      # further behind than this, the view jumps instead of catching up


def _lane(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The offset to the right of travel from points a to points b, LANE_OFFSET long (0 where a == b)."""
    dx, dy = b[:, 0] - a[:, 0], b[:, 1] - a[:, 1]
    length = np.hypot(dx, dy)
    length[length == 0] = np.inf
    return -dy / length * LANE_OFFSET, dx / length * LANE_OFFSET


def positions_via(ends: np.ndarray, t0: np.ndarray, t1: np.ndarray, now: float
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Positions at `now` along two-segment paths at an even speed, and a mask of the transfers in
    flight (t1 > t0). Rows of `ends`: x0, y0, xm, ym, x1, y1, the first segment's length and the
    whole length. A dot into a group runs along the one edge to the frame, then fans out inside it
    to its instance."""
    elapsed = now - t0
    duration = t1 - t0
    flying = (elapsed >= 0.0) & (elapsed <= duration)
    fraction = elapsed / np.maximum(duration, 1e-12)    # an instant hop (no minimum set) is at its end
    np.clip(fraction, 0.0, 1.0, out=fraction)
    travelled = fraction * ends[:, 7]
    first = ends[:, 6]
    second = travelled > first
    segment = np.where(second, ends[:, 7] - first, first)
    segment[segment == 0] = 1.0
    along = np.where(second, travelled - first, travelled) / segment
    xa, ya = np.where(second, ends[:, 2], ends[:, 0]), np.where(second, ends[:, 3], ends[:, 1])
    xb, yb = np.where(second, ends[:, 4], ends[:, 2]), np.where(second, ends[:, 5], ends[:, 3])
    return xa + (xb - xa) * along, ya + (yb - ya) * along, flying


class ViewClock:
    """The simulated time the view draws: smooth on the wall clock, never ahead of the engine."""

    def __init__(self) -> None:
        self.t = 0.0
        self._wall: float | None = None

    def reset(self, t: float = 0.0) -> None:
        self.t, self._wall = t, None

    def advance(self, wall: float, engine_t: float, speed: float, paused: bool) -> float:
        dt = 0.0 if self._wall is None else max(0.0, wall - self._wall)
        self._wall = wall
        if paused or engine_t < self.t - speed * SNAP_WALL_S:
            self.t = engine_t
            return self.t
        aim = engine_t - speed * LEAD_WALL_S
        t = self.t + dt * speed
        error = aim - t
        if abs(error) > speed * SNAP_WALL_S:
            t = aim
        else:
            t += error * min(1.0, dt * 6.0)
        self.t = max(self.t, min(t, engine_t))
        return self.t


class TransferBuffer:
    """Transfers still to be drawn: route id, kind, departure, the end of their drawn hop, and the
    weight (how many transfers each one stands for: the sampling stride when it came in)."""

    FIELDS = ("route", "kind", "t0", "t1", "weight", "ends")

    def __init__(self, capacity: int = 4096) -> None:
        # x0, y0, a waypoint, x1, y1 in the direction of travel, the first segment's and the whole length
        self.ends = np.zeros((capacity, 8), np.float64)
        self.weight = np.zeros(capacity, np.float32)
        self.route = np.zeros(capacity, np.int32)
        self.kind = np.zeros(capacity, np.int8)
        self.t0 = np.zeros(capacity, np.float64)
        self.t1 = np.zeros(capacity, np.float64)
        self.count = 0

    def append(self, route: np.ndarray, kind: np.ndarray, t0: np.ndarray, t1: np.ndarray, weight: float,
               ends: np.ndarray | None = None) -> None:
        n = len(route)
        need = self.count + n
        if need > len(self.route):
            self._grow(max(need, 2 * len(self.route)))
        s = slice(self.count, need)
        self.route[s], self.kind[s], self.t0[s], self.t1[s], self.weight[s] = route, kind, t0, t1, weight
        if ends is not None:
            self.ends[s] = ends
        self.count = need

    def _grow(self, capacity: int) -> None:
        for name in self.FIELDS:
            old = getattr(self, name)
            new = np.zeros((capacity,) + old.shape[1:], old.dtype)
            new[:self.count] = old[:self.count]
            setattr(self, name, new)

    def drop_ended(self, t: float, slack: float = 0.0) -> None:
        """Forget the transfers whose drawn hop ended before t. With slack > 0 the arrays are compacted
        only once that share of them has ended (ended rows draw nothing; compacting every frame costs)."""
        n = self.count
        keep = self.t1[:n] >= t
        kept = int(keep.sum())
        if kept == n or (n - kept) < slack * n:
            return
        for name in self.FIELDS:
            arr = getattr(self, name)
            arr[:kept] = arr[:n][keep]
        self.count = kept

    def clear(self) -> None:
        self.count = 0


class DotAnimator:
    """Feeds the scene's DotLayer from transfers; knows routes through the scene's items."""

    def __init__(self, scene, cap: int = DEFAULT_DOT_CAP, min_visible_wall_s: float = MIN_VISIBLE_WALL_S,
                 spacing: float = DOT_SPACING) -> None:
        self.scene = scene
        self.cap = cap
        self.spacing = spacing
        self.min_visible_wall_s = min_visible_wall_s
        self.buffer = TransferBuffer()
        self.stride = 1
        self.in_flight = 0
        self._counter = 0
        self._route_ids: dict[int, int] = {}
        self._route_keys: list[tuple[int, int]] = []
        self._route_xy = np.zeros((0, 6), np.float64)
        self._route_known = np.zeros(0, bool)
        self._version = -1
        self._backward = np.array(sorted(BACKWARD_KINDS), np.int8)
        self._frames = 0

    def reset(self) -> None:
        self.buffer.clear()
        self.stride, self.in_flight, self._counter = 1, 0, 0
        self.scene.dots.clear()

    def ingest(self, transfers: list[tuple[int, int, float, float, int]], speed: float) -> None:
        if not transfers:
            return
        arr = np.asarray(transfers, np.float64).reshape(-1, 5)
        n = len(arr)
        if self.stride > 1:
            picked = (self._counter + np.arange(n)) % self.stride == 0
            arr = arr[picked]
        self._counter += n
        edge, inst = arr[:, 0].astype(np.int64), arr[:, 1].astype(np.int64)
        ok = (edge >= 0) & (edge < len(self.scene.edge_items))
        if not ok.all():
            arr, edge, inst = arr[ok], edge[ok], inst[ok]
        routes = self._route_index(edge, inst)
        t0 = arr[:, 2]
        t1 = t0 + np.maximum(arr[:, 3] - t0, self.min_visible_wall_s * max(speed, 1e-6))
        kind = arr[:, 4].astype(np.int8)
        self.buffer.append(routes, kind, t0, t1, float(self.stride), self._ends(routes, kind))

    def _ends(self, routes: np.ndarray, kind: np.ndarray) -> np.ndarray:
        """Start and end points in the direction of travel: responses and errors go back, each
        direction on its own lane (shifted to the right of travel) so the two streams read apart."""
        ends = self._route_xy[routes]
        back = np.isin(kind, self._backward)
        ends[back] = ends[back][:, [4, 5, 2, 3, 0, 1]]
        nx1, ny1 = _lane(ends[:, 0:2], ends[:, 2:4])
        nx2, ny2 = _lane(ends[:, 2:4], ends[:, 4:6])
        ends[:, 0] += nx1
        ends[:, 1] += ny1
        ends[:, 2] += (nx1 + nx2) / 2
        ends[:, 3] += (ny1 + ny2) / 2
        ends[:, 4] += nx2
        ends[:, 5] += ny2
        first = np.hypot(ends[:, 2] - ends[:, 0], ends[:, 3] - ends[:, 1])
        total = first + np.hypot(ends[:, 4] - ends[:, 2], ends[:, 5] - ends[:, 3])
        return np.column_stack([ends, first, total])

    def _route_index(self, edge: np.ndarray, inst: np.ndarray) -> np.ndarray:
        keys = edge * 1_000_003 + (inst + 1)
        unique, inverse = np.unique(keys, return_inverse=True)
        ids = np.empty(len(unique), np.int32)
        for i, key in enumerate(unique.tolist()):
            rid = self._route_ids.get(key)
            if rid is None:
                rid = self._add_route(key // 1_000_003, key % 1_000_003 - 1)
                self._route_ids[key] = rid
            ids[i] = rid
        return ids[inverse.reshape(-1)]

    def _add_route(self, edge: int, inst: int) -> int:
        self._route_keys.append((edge, inst))
        self._route_xy = np.vstack([self._route_xy, np.zeros((1, 6))])
        self._route_known = np.append(self._route_known, False)
        self._refresh_route(len(self._route_keys) - 1)
        return len(self._route_keys) - 1

    def _refresh_route(self, rid: int) -> None:
        found = self.scene.route(*self._route_keys[rid])
        if found is None:
            return
        coords, exact = found
        if exact or not self._route_known[rid]:
            self._route_xy[rid] = coords
            self._route_known[rid] = exact

    def _refresh_routes(self) -> None:
        if self._version != self.scene.geometry_version:
            self._version = self.scene.geometry_version
            for rid in range(len(self._route_keys)):
                self._refresh_route(rid)
            n = self.buffer.count
            self.buffer.ends[:n] = self._ends(self.buffer.route[:n], self.buffer.kind[:n])

    def frame(self, t: float) -> int:
        """Place every dot in flight at simulated time t; returns how many are drawn."""
        self._refresh_routes()
        buf = self.buffer
        buf.drop_ended(t, COMPACT_SHARE)
        n = buf.count
        if n == 0:
            self.in_flight = 0
            self.scene.dots.clear()
            self.stride = 1      # nothing in flight: nothing to thin (after a slow-down, say)
            return 0
        kind, ends = buf.kind[:n], buf.ends[:n]
        x, y, flying = positions_via(ends, buf.t0[:n], buf.t1[:n], t)
        self.scene.dots.set_dots(x[flying], y[flying], kind[flying])
        self.in_flight = int(flying.sum())
        self._frames += 1
        if self._frames % STRIDE_EVERY_FRAMES == 0:
            self._choose_stride(kind, np.isin(kind, self._backward))
        return self.in_flight

    def show_instant(self, transfers: list[tuple[int, int, float, float, int]], speed: float, t: float) -> int:
        """Show the dots of many transfers at once (a screenshot), sampled as the live view would."""
        for _ in range(3):
            stride = self.stride
            self.buffer.clear()
            self._counter = 0
            self.ingest(transfers, speed)
            self.frame(t)
            n = self.buffer.count
            self._choose_stride(self.buffer.kind[:n], np.isin(self.buffer.kind[:n], self._backward))
            if self.stride == stride:
                break
        return self.in_flight

    def _choose_stride(self, kind: np.ndarray, back: np.ndarray) -> None:
        """Sample so that no edge is crowded (dots `spacing` apart) and at most `cap` dots show.

        Works from how many transfers would be buffered without sampling (each buffered one
        weighs the stride it came in with); only new transfers are sampled with a new stride."""
        n = len(kind)
        weight = self.buffer.weight[:n]
        routes = self.buffer.route[:n].astype(np.int64) * 2 + back
        per_direction = np.bincount(routes, weights=weight, minlength=2 * len(self._route_keys))
        per_direction = per_direction.reshape(-1, 2).max(axis=1)
        xy = self._route_xy
        length = np.maximum(np.hypot(xy[:, 2] - xy[:, 0], xy[:, 3] - xy[:, 1])
                            + np.hypot(xy[:, 4] - xy[:, 2], xy[:, 5] - xy[:, 3]), 30.0)
        per_length = per_direction / length      # empty before the first transfer names a route
        crowding = float(per_length.max()) * self.spacing if self.spacing > 0 and per_length.size else 0.0
        need = max(crowding, float(weight.sum()) / self.cap)
        nice = next((s for s in NICE_STRIDES if s * 1.3 >= need), NICE_STRIDES[-1])
        if nice > self.stride or need <= 0.6 * self.stride:   # sampling noise must not flip the stride
            self.stride = nice
