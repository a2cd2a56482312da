"""Panels around the canvas: charts, the activity log, and the docks and menus that hold them."""
