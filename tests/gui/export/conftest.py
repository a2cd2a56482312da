"""What the export tests share: counting the dots in an SVG."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from gui.canvas.dots import DOT_COLOURS

SVG = "{http://www.w3.org/2000/svg}"


def dot_circles(path) -> int:
    """Circles in the SVG filled with a dot colour (the fill is inherited from the enclosing groups)."""
    colours = {c.lower() for c in DOT_COLOURS.values()}

    def walk(element, fill) -> int:
        fill = element.get("fill", fill)
        here = int(element.tag in (SVG + "circle", SVG + "ellipse") and (fill or "").lower() in colours)
        return here + sum(walk(child, fill) for child in element)

    return walk(ET.parse(path).getroot(), None)


@pytest.fixture(name="dot_circles")
def dot_circles_fixture():
    return dot_circles
