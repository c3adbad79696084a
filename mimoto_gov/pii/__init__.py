"""Personal data in free text: the scanner (``scan``) and the cache of earlier scans (``cache``)."""
