"""`/`: a small page that uses the public API as a front-end would (app/static/index.html)."""

from functools import cache
from importlib.resources import files

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from app.core.conformance import docs_content_security_policy

router = APIRouter(include_in_schema=False)


@cache
def _page() -> bytes:
    return files("app").joinpath("static/index.html").read_bytes()


@router.get("/")
def demo_page() -> HTMLResponse:
    page = _page()
    # The docs' policy: this origin only, the page's own inline script allowed by its hash.
    return HTMLResponse(
        page, headers={"Content-Security-Policy": docs_content_security_policy(page)}
    )
