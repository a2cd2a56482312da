"""Files: the File menu and recovery, atomic saving, autosave, and the geometry file for end-to-end tests."""
