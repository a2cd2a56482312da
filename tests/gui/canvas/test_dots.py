"""DotLayer draws each dot in its kind's colour where it should, and positions_along interpolates."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PySide6.QtCore import QRectF, Qt  # noqa: E402
from PySide6.QtGui import QColor, QImage, QPainter, QTransform  # noqa: E402
from PySide6.QtWidgets import QGraphicsScene  # noqa: E402

from gui.canvas.dots import DOT_COLOURS, DotKind, DotLayer, positions_along  # noqa: E402

SCENE = QRectF(0, 0, 200, 100)
DOTS_X = np.array([20.0, 60.0, 100.0, 140.0, 180.0])
DOTS_Y = np.array([30.0, 70.0, 30.0, 70.0, 30.0])
DOTS_KIND = np.array([DotKind.REQUEST, DotKind.RESPONSE, DotKind.ERROR, DotKind.MESSAGE,
                      DotKind.DEAD_LETTER])


def make_scene(background: str = "#ffffff") -> tuple[QGraphicsScene, DotLayer]:
    scene = QGraphicsScene(SCENE)
    scene.setBackgroundBrush(QColor(background))
    layer = DotLayer(SCENE, dot_size=8)
    scene.addItem(layer)
    return scene, layer


def render(scene: QGraphicsScene, zoom: float = 1.0, device_pixel_ratio: float = 1.0) -> QImage:
    scale = zoom * device_pixel_ratio
    image = QImage(int(SCENE.width() * scale), int(SCENE.height() * scale),
                   QImage.Format.Format_ARGB32_Premultiplied)
    image.setDevicePixelRatio(device_pixel_ratio)
    image.fill(Qt.GlobalColor.magenta)  # anything the scene fails to paint shows up
    painter = QPainter(image)
    scene.render(painter, QRectF(0, 0, SCENE.width() * zoom, SCENE.height() * zoom), SCENE)
    painter.end()
    return image


def colour_distance(got: QColor, want: QColor) -> int:
    return max(abs(got.red() - want.red()), abs(got.green() - want.green()),
               abs(got.blue() - want.blue()))


def assert_colour(image: QImage, x: float, y: float, expected: str, tolerance: int = 3) -> None:
    """One of the (up to four) pixels touching the point (x, y) has the expected colour."""
    want = QColor(expected)
    touching = {(int(px), int(py)) for px in (x - 0.5, x + 0.5) for py in (y - 0.5, y + 0.5)}
    best = min((image.pixelColor(px, py) for px, py in touching),
               key=lambda got: colour_distance(got, want))
    assert colour_distance(best, want) <= tolerance, \
        f"pixels at ({x}, {y}) are not {expected}; the closest is {best.name()}"


def colour_of(kind: int) -> str:
    return DOT_COLOURS[DotKind(kind)]


@pytest.mark.parametrize("background", ["#ffffff", "#1e1e1e"])
def test_each_dot_is_drawn_in_its_kinds_colour(qapp, background):
    scene, layer = make_scene(background)
    layer.set_dots(DOTS_X, DOTS_Y, DOTS_KIND)
    image = render(scene)
    for x, y, kind in zip(DOTS_X, DOTS_Y, DOTS_KIND):
        assert_colour(image, x, y, colour_of(kind))
    assert_colour(image, 100, 50, background, tolerance=0)
    assert_colour(image, 20, 70, background, tolerance=0)


@pytest.mark.parametrize("zoom, device_pixel_ratio", [(2.0, 1.0), (0.5, 1.0), (1.0, 2.0)])
def test_dots_follow_zoom_and_device_pixel_ratio(qapp, zoom, device_pixel_ratio):
    scene, layer = make_scene()
    layer.set_dots(DOTS_X, DOTS_Y, DOTS_KIND)
    image = render(scene, zoom, device_pixel_ratio)
    scale = zoom * device_pixel_ratio
    for x, y, kind in zip(DOTS_X, DOTS_Y, DOTS_KIND):
        assert_colour(image, x * scale, y * scale, colour_of(kind))
    assert_colour(image, 100 * scale, 50 * scale, "#ffffff", tolerance=0)
    row = [image.pixelColor(i, int(30 * scale)).name() != "#ffffff" for i in range(int(40 * scale))]
    assert abs(sum(row) - 8 * scale) <= 1, "the dot's diameter follows the scale"


def test_no_dots_paints_nothing(qapp):
    scene, layer = make_scene()
    expected = render(scene)
    layer.set_dots(np.array([]), np.array([]), np.array([], dtype=int))
    assert layer.count == 0
    assert render(scene) == expected
    layer.set_dots(DOTS_X, DOTS_Y, DOTS_KIND)
    layer.clear()
    assert layer.count == 0
    assert render(scene) == expected


def test_dots_keep_their_colours_when_the_buffer_grows_after_painting(qapp):
    scene, layer = make_scene()
    layer.set_dots(DOTS_X[:1], DOTS_Y[:1], DOTS_KIND[:1])
    render(scene)
    many = 5000
    x = np.concatenate([DOTS_X, np.full(many, 100.0)])
    y = np.concatenate([DOTS_Y, np.full(many, 50.0)])
    kind = np.concatenate([DOTS_KIND, np.full(many, DotKind.ERROR)])
    layer.set_dots(x[::-1].copy(), y[::-1].copy(), kind[::-1].copy())  # the known dots land last
    image = render(scene)
    for dx, dy, dk in zip(DOTS_X, DOTS_Y, DOTS_KIND):
        assert_colour(image, dx, dy, colour_of(dk))
    assert_colour(image, 100, 50, colour_of(DotKind.ERROR))


def test_set_dot_size_changes_the_drawn_diameter(qapp):
    scene, layer = make_scene()
    layer.set_dots(DOTS_X, DOTS_Y, DOTS_KIND)
    layer.set_dot_size(16)
    image = render(scene)
    row = [image.pixelColor(i, 30).name() != "#ffffff" for i in range(40)]
    assert abs(sum(row) - 16) <= 1


def test_mismatched_lengths_are_refused(qapp):
    _, layer = make_scene()
    with pytest.raises(ValueError):
        layer.set_dots(np.zeros(3), np.zeros(2), np.zeros(3, dtype=int))


def test_bounding_rect_is_the_given_scene_rect(qapp):
    _, layer = make_scene()
    layer.set_bounds(QRectF(-10, -20, 300, 400))
    assert layer.boundingRect() == QRectF(-10, -20, 300, 400)


def along(t_depart: float, t_arrive: float, now: float, min_visible_s: float = 0.25):
    x, y, in_flight = positions_along(np.array([0.0]), np.array([10.0]), np.array([100.0]),
                                      np.array([30.0]), np.array([t_depart]), np.array([t_arrive]),
                                      now, min_visible_s)
    return float(x[0]), float(y[0]), bool(in_flight[0])


def test_positions_along_start_middle_and_end():
    assert along(2.0, 4.0, 2.0) == (0.0, 10.0, True)
    assert along(2.0, 4.0, 3.0) == (50.0, 20.0, True)
    assert along(2.0, 4.0, 4.0) == (100.0, 30.0, True)


def test_positions_along_outside_the_hop_is_not_in_flight():
    assert along(2.0, 4.0, 1.0) == (0.0, 10.0, False)
    assert along(2.0, 4.0, 4.5) == (100.0, 30.0, False)


def test_an_instantaneous_hop_is_stretched_to_the_minimum_visible_time():
    assert along(1.0, 1.0, 1.0) == (0.0, 10.0, True)
    assert along(1.0, 1.0, 1.125) == (50.0, 20.0, True)
    assert along(1.0, 1.0, 1.25) == (100.0, 30.0, True)
    assert along(1.0, 1.0, 1.3)[2] is False


def test_a_hop_longer_than_the_minimum_keeps_its_speed():
    assert along(0.0, 1.0, 0.25, min_visible_s=0.5) == (25.0, 15.0, True)


def test_zero_minimum_and_zero_duration_puts_the_dot_at_the_end():
    assert along(1.0, 1.0, 1.0, min_visible_s=0.0)[:2] == (100.0, 30.0)


def test_positions_along_is_vectorised():
    t_depart = np.array([0.0, 0.0, 5.0])
    x, y, in_flight = positions_along(np.zeros(3), np.zeros(3), np.full(3, 10.0), np.zeros(3),
                                      t_depart, t_depart + 2.0, 1.0, 0.25)
    assert x.tolist() == [5.0, 5.0, 0.0]
    assert in_flight.tolist() == [True, True, False]


class EveryRowLayer(DotLayer):
    """Draws every row, as the layer did before it skipped hidden dots."""

    def _visible_fragments(self, transform, width, height, dpr):
        n = self._count
        out = self._device_rows(n)
        out[:, 0], out[:, 1] = self._x[:n], self._y[:n]
        out[:, 2] = self._source_left[self._kinds[:n]]
        return out


def test_dots_hidden_under_others_are_skipped_without_changing_the_picture(qapp):
    """Many dots on the same pixels (as at high load along an edge) look as if every one were drawn."""
    rng = np.random.default_rng(3)
    n = 3000
    x = rng.integers(5, 195, n).astype(np.float64)
    y = rng.choice([30.0, 70.0], n)
    kind = rng.integers(0, len(DotKind), n)
    images = []
    for layer_class in (DotLayer, EveryRowLayer):
        scene = QGraphicsScene(SCENE)
        scene.setBackgroundBrush(QColor("#ffffff"))
        layer = layer_class(SCENE, dot_size=8)
        scene.addItem(layer)
        layer.set_dots(x, y, kind)
        images.append(render(scene))
    drawn = DotLayer(SCENE, dot_size=8)
    drawn.set_dots(x, y, kind)
    drawn._ensure_sprite(QTransform(), 1.0)
    assert len(drawn._visible_fragments(QTransform(), 200, 100, 1.0)) <= 2 * 190  # one per pixel at most
    a, b = (np.frombuffer(im.constBits(), np.uint8).reshape(100, 200, 4).astype(int) for im in images)
    diff = np.abs(a - b).max(axis=2)
    # Only the anti-aliased rims differ: there the dots underneath showed through a little.
    assert (diff > 32).mean() < 0.01 and (diff > 8).mean() < 0.03


def test_dots_outside_the_view_are_not_drawn(qapp):
    layer = DotLayer(SCENE, dot_size=8)
    layer.set_dots(np.array([-50.0, 20.0, 500.0]), np.array([30.0, 30.0, 30.0]),
                   np.array([DotKind.REQUEST] * 3))
    layer._ensure_sprite(QTransform(), 1.0)
    assert layer._visible_fragments(QTransform(), 200, 100, 1.0)[:, 0].tolist() == [20.0]
