"""Spiders of the project: `ogi` (ogi.py); `listing.py` holds its pure list-page analysis."""
