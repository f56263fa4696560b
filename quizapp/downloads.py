"""Files sent to the browser as downloads: grades, answers, a deck."""

from __future__ import annotations

from collections.abc import Iterator

from flask import Response, stream_with_context


def no_store(response: Response) -> Response:
    """Keep a download (grades, answers, a deck) out of every cache, the browser's and any
    proxy's, whoever asked for it: ``send_file`` marks files "no-cache", which caches still keep."""
    response.headers["Cache-Control"] = "no-store"
    return response


def download(chunks: Iterator[bytes], mimetype: str, filename: str) -> Response:
    """Stream a file to the browser as a download, the database session kept open while it runs."""
    return no_store(
        Response(
            stream_with_context(chunks),
            mimetype=mimetype,
            headers={
                "Content-Disposition": f'attachment; filename="{filename}"',
            },
        )
    )
