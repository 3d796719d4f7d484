"""cxvalue: what customer experience is worth in money."""
__version__ = "0.1.0"
