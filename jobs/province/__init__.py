"""The province: a consolidation whose units are districts, read from their outputs."""
