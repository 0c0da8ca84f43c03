"""The HTTP API: POST /predict, GET /health, GET /metadata (FastAPI).

POST /predict takes JSON ({"inputs": [...]}) or, for image models, an upload
(multipart form, field `file`, repeatable; optional fields top_k, threshold, invert).
Every request problem is a 4xx JSON answer {"error": ...}: 400 bad input (not JSON,
wrong shape or type, non-finite or out-of-range values), 413 too large, 415 another
content type, 422 a request FastAPI itself cannot route; 503 when `max_requests` are
being handled already. Bodies are capped at `max_body` bytes before anything is parsed.
A fault of the server's own is a 500 with a JSON message, never a traceback.
"""

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect

from dlcli.errors import DataError
from dlcli.serving.connections import RequestLimit
from dlcli.serving.limits import ServeLimits, TooLarge
from dlcli.serving.predictor import Predictor, form_options


def create_app(predictor: Predictor, limits: ServeLimits | None = None) -> FastAPI:
    """The app for one run. FastAPI is imported only by `dlcli serve` (lazily, in
    dlcli.serving.server), never by the other commands."""
    limits = limits or ServeLimits()
    app = FastAPI(title=f"dlcli: {predictor.metadata['name']}", docs_url=None, redoc_url=None)
    app.add_middleware(RequestLimit, limit=limits.max_requests)
    # Parsing, decoding and the forward pass of every request on one thread, one
    # request at a time: a request's memory is freed into that thread's malloc arena
    # and reused by the next, where a pool spread it over many arenas that kept it.
    worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dlcli-predict")

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        return _error(exc.status_code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        return _error(422, "invalid request")

    @app.get("/health")
    def health() -> dict[str, Any]:
        return {"status": "ok", "run": predictor.metadata["run"]}

    @app.get("/metadata")
    def metadata() -> dict[str, Any]:
        return predictor.metadata

    @app.post("/predict")
    async def predict(request: Request) -> JSONResponse:
        try:
            rows = await _predictions(request, predictor, limits.max_body, worker)
        except TooLarge as exc:
            return _error(413, str(exc))
        except WrongType as exc:
            return _error(415, str(exc))
        except DataError as exc:
            return _error(400, str(exc))
        except ClientDisconnect:  # gone, or cut at the body timeout: no one to answer
            return _error(408, "the request's body did not arrive in time")
        except Exception as exc:  # a fault of ours: one logged line and a JSON 500
            logging.getLogger("uvicorn.error").error("POST /predict failed: %r", exc)
            return _error(500, f"the server failed on this request ({type(exc).__name__})")
        return JSONResponse({"run": predictor.metadata["run"], "predictions": rows})

    return app


class WrongType(DataError):
    """A body of another content type than JSON or a multipart form (415)."""


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


async def _predictions(
    request: Request, predictor: Predictor, max_body: int, worker: ThreadPoolExecutor
) -> list[dict[str, Any]]:
    """The rows for a POST /predict, computed on `worker`."""
    body = await _read_capped(request, max_body)
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "multipart/form-data":
        images, options = await _form(request)
        run = lambda: predictor.predict_images(images, options)  # noqa: E731
    elif kind in ("application/json", ""):
        run = lambda: predictor.predict_json(body)  # noqa: E731
    else:
        raise WrongType(f"send application/json or multipart/form-data, not {kind}")
    return await asyncio.get_running_loop().run_in_executor(worker, run)


async def _read_capped(request: Request, max_body: int) -> bytes:
    """The body, refused (413) as soon as it passes `max_body` bytes, read or declared."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > max_body):
        raise TooLarge(f"the body is over the server's limit of {max_body} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_body:
            raise TooLarge(f"the body is over the server's limit of {max_body} bytes")
        chunks.append(chunk)
    body = b"".join(chunks)
    request._body = body  # Starlette reads a cached body for .form()
    return body


async def _form(request: Request) -> tuple[list[tuple[str, bytes]], Any]:
    try:
        form = await request.form(max_files=64, max_fields=16)
    except Exception as exc:  # python-multipart's parse errors and Starlette's limits
        raise DataError(f"cannot read the upload as a multipart form ({exc})") from None
    images = [
        (upload.filename or "upload", await upload.read())
        for upload in form.getlist("file")
        if isinstance(upload, UploadFile)
    ]
    fields = {k: form.get(k) for k in ("top_k", "threshold", "invert")}
    if any(v is not None and not isinstance(v, str) for v in fields.values()):
        raise DataError("top_k, threshold and invert are plain form fields, not files")
    return images, form_options(**fields)
