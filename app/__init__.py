"""coalition-monitor: the read API for the Maastricht coalition agreement progress report."""

# The API version is the package version: one number for the code, the OpenAPI document and
# the API-Version header, so they cannot drift apart.
__version__ = "1.0.0"
