"""`dlcli serve`: a real uvicorn server on a free 127.0.0.1 port, real HTTP requests."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from dlcli import api
from dlcli.errors import UsageError
from dlcli.serving.server import bind
from tests.helpers.deploy import bar_images
from tests.helpers.servers import post_json, request, running_server
from tests.helpers.uploads import form_type, multipart, png

MAX_BODY = 200_000  # small, so the size cap is cheap to hit


@pytest.fixture(scope="module")
def server(bars_run: Path) -> Iterator[int]:
    with running_server(bars_run, max_body=MAX_BODY) as port:
        yield port






def test_json_predictions_match_dlcli_predict(loopback, server, bars_run, tmp_path) -> None:
    x, y = bar_images(6, seed=3)
    np.save(tmp_path / "x.npy", x)
    expected = api.predict(bars_run, [tmp_path / "x.npy"], top_k=2)
    status, answer = post_json(server, {"inputs": x.tolist(), "top_k": 2})
    assert status == 200, answer
    got = answer["predictions"]
    assert [r["class_name"] for r in got] == [r["class_name"] for r in expected]
    assert [r["class_name"] for r in got] == [["top", "bottom"][c] for c in y]
    for mine, theirs in zip(got, expected, strict=True):
        assert mine["probability"] == pytest.approx(theirs["probability"], abs=1e-5)


def test_image_upload_is_read_and_inverted_like_predict(loopback, server) -> None:
    x, _ = bar_images(2, seed=4)
    body, boundary = multipart({"top.png": png(x[0]), "paper.png": png(255 - x[1])})
    status, answer = request(server, "POST", "/predict", body, form_type(boundary))
    assert status == 200, answer
    rows = answer["predictions"]
    assert [r["class_name"] for r in rows] == ["top", "bottom"]
    assert rows[1]["input"] == "paper.png (inverted)"


def test_health_and_metadata(loopback, server, bars_run) -> None:
    assert request(server, "GET", "/health") == (200, {"status": "ok", "run": str(bars_run)})
    status, meta = request(server, "GET", "/metadata")
    assert status == 200
    assert meta["output"]["class_names"] == ["top", "bottom"]
    assert meta["inputs"]["raw_shape"] == [28, 28] and meta["preprocessing"]["scale"] == 255


BAD_REQUESTS = [
    (b"not json", 400, "not valid JSON"),
    (b"[1, 2]", 400, "must be a JSON object"),
    (b'{"inputs": "pixels"}', 400, "non-empty list"),
    (b'{"inputs": []}', 400, "non-empty list"),
    (b'{"inputs": [[1, 2, 3]]}', 400, "sample shape [3]"),
    (b'{"inputs": [["a", "b"]]}', 400, "numbers only"),
    (b'{"inputs": [[1, 2], [3]]}', 400, "numbers only"),
    (b'{"inputs": [[NaN]]}', 400, "NaN"),
    (b'{"inputs": [[1e999]]}', 400, "1e999, out of the range"),
    (json.dumps({"inputs": [[[1e308] * 28] * 28]}).encode(), 400, "not finite as float32"),
    (json.dumps({"inputs": [[[0] * 27 + [True]] * 28]}).encode(), 400, "holds true"),
    (b'{"inputs": [[1]], "top_k": 0}', 400, "top_k"),
    (b'{"inputs": [[1]], "threshold": 2}', 400, "threshold"),
    (b'{"inputs": [[1]], "extra": 1}', 400, "unknown field 'extra'"),
    (b"[" * 90_000 + b"]" * 90_000, 400, "not valid JSON"),  # nesting past the parser
    (b'{"inputs": [' + b"0," * 150_000 + b"0]}", 413, "limit"),
]


@pytest.mark.parametrize(("body", "status", "message"), BAD_REQUESTS)
def test_bad_requests_get_a_4xx_json_error(loopback, server, body, status, message) -> None:
    got, answer = post_json(server, body)
    assert got == status and message in answer["error"], (got, answer)


def test_other_content_and_broken_uploads_are_refused(loopback, server) -> None:
    assert request(server, "POST", "/predict", b"x", {"Content-Type": "text/plain"})[0] == 415
    body, boundary = multipart({"notes.png": b"not an image"})
    status, answer = request(server, "POST", "/predict", body, form_type(boundary))
    assert status == 400 and "cannot read as an image" in answer["error"]
    status, answer = request(server, "POST", "/predict", b"--x\r\n",
                             {"Content-Type": "multipart/form-data; boundary=x"})  # fmt: skip
    assert 400 <= status < 500


def test_a_flood_of_malformed_requests_leaves_it_answering(loopback, server) -> None:
    x, _ = bar_images(1, seed=6)
    bodies = [body for body, _, _ in BAD_REQUESTS[:12]] * 10  # 120 bad requests, 4 threads
    statuses: list[int] = []

    def send(chunk: list[bytes]) -> None:
        statuses.extend(post_json(server, body)[0] for body in chunk)

    threads = [threading.Thread(target=send, args=(bodies[i::4],)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(statuses) == len(bodies) and all(400 <= s < 500 for s in statuses)
    status, answer = post_json(server, {"inputs": x.tolist()})
    assert status == 200 and answer["predictions"][0]["class_name"] == "top"


def test_a_port_in_use_is_one_clear_message() -> None:
    taken = bind("127.0.0.1", 0)
    try:
        port = taken.getsockname()[1]
        with pytest.raises(UsageError, match=f"port {port} on 127.0.0.1 is already in use"):
            bind("127.0.0.1", port)
    finally:
        taken.close()
