"""Pure parsing core: bytes/str in, typed records out. No network, DuckDB or environment reads."""
