"""Issue 14, defect 1, with a real mouse wheel in a real X server: turned over an unfocused number
field of the inspector, it scrolls the panel and changes nothing (the offscreen test sends Qt a
synthetic wheel event; this one goes through X, as a hand on a mouse does)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.e2e.test_real_window import ROOT, display, pytestmark  # noqa: F401 (the fixture and the marks)


def test_a_real_wheel_over_a_number_field_scrolls_the_inspector(display, tmp_path: Path):
    env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb", "FLOWDECK_NO_RECOVERY": "1",
           "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "XDG_RUNTIME_DIR": str(tmp_path), "FLOWDECK_DATA_DIR": str(tmp_path / "data")}
    os.chmod(tmp_path, 0o700)
    probe = subprocess.run([sys.executable, str(Path(__file__).with_name("wheel_probe.py"))], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=60)
    lines = [line for line in probe.stdout.splitlines() if line.startswith("{")]
    assert lines, probe.stdout[-2000:] + probe.stderr[-2000:]
    seen = json.loads(lines[-1])
    assert seen["problem"] is None, seen
    (value, scroll, steps), (value_after, scroll_after, steps_after) = seen["before"], seen["after"]
    assert value_after == value and steps_after == steps, "the field under the pointer did not change"
    assert scroll_after > scroll, "the wheel scrolled the panel"
    assert not seen["focused"], "a wheel does not take the focus"
