"""Running: the bridge to the engine thread, the dot animation and its clock, the run toolbar."""
