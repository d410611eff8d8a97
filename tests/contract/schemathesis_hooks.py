"""Schemathesis hooks for the contract run (tests/test_fuzz_openapi.py).

The document gives only the JSON as a 200 body, so that generated clients type `data`
exactly; the other representations are described in words and tested elsewhere: CSV
(`format=csv`) and ZIP (`format=zip`) by tests/core/test_representations.py and
tests/clients/test_data_frames.py, the catalogue's Turtle and RDF/XML (`format=turtle`,
`format=rdf-xml`) by tests/api/test_catalog.py. Every other generated value is sent as generated.
"""

import schemathesis

# The `format` values that choose a representation described in words -> the JSON one.
JSON_FORMAT = {"csv": "json", "zip": "json", "turtle": "json-ld", "rdf-xml": "json-ld"}


@schemathesis.hook
def before_call(context, case, kwargs):
    chosen = (case.query or {}).get("format")
    if isinstance(chosen, str) and chosen in JSON_FORMAT:
        case.query["format"] = JSON_FORMAT[chosen]
