"""Schemathesis hooks for the contract run (tests/test_fuzz_openapi.py).

The document gives only the JSON as a collection's 200 body, so that generated clients type
`data` exactly; the CSV (`format=csv`) and ZIP (`format=zip`) representations are described in
words and tested by tests/core/test_representations.py and tests/clients/test_data_frames.py.
Every other generated value is sent as generated.
"""

import schemathesis


@schemathesis.hook
def before_call(context, case, kwargs):
    if case.query and case.query.get("format") in ("csv", "zip"):
        case.query["format"] = "json"
