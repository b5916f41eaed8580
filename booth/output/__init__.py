"""Finished headshots: framing geometry (crops.py) and atomic, tidy storage (store.py)."""
