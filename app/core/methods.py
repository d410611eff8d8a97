"""The HTTP methods, by what they do here: reads change nothing and are public; writes carry a
body, need a key and are never cached."""

# Answered from the data (routes are declared for GET; HEAD is answered like it).
DATA_READ_METHODS = frozenset({"GET", "HEAD"})
# Change nothing: data reads and CORS preflights.
READ_METHODS = DATA_READ_METHODS | {"OPTIONS"}
# Everything else a route may be declared for; each carries a body.
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
KNOWN_METHODS = READ_METHODS | WRITE_METHODS
# The methods a route may be declared for, in the order an `Allow` header lists them.
ROUTE_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
