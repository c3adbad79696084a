"""Rendering: papermill runs a notebook, nbconvert makes HTML, WeasyPrint a PDF; plus the index."""
