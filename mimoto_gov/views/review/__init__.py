"""The monthly retention review: its figures, summary, charts and rendering."""
