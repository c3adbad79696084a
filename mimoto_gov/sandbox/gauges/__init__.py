"""A local Gaug.es-compatible API and its synthetic site data."""
