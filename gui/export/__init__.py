"""Leaving the app: images (PNG, JPEG, SVG, PDF) of the canvas or the window, and videos of a run."""
