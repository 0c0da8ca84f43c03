"""`dlcli serve` bounded per request, against a real server on 127.0.0.1: numbers out of
range, images too large to decode refused from their header, and the memory of a
`dlcli serve` process (its VmRSS/VmHWM in /proc) near its baseline during and after a
flood of decompression bombs beside large images it does decode."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from tests.helpers.deploy import bar_images
from tests.helpers.servers import memory_mib, post_json, request, running_server, served_process
from tests.helpers.uploads import form_type, multipart, png, zero_png

HUGE = "1" + "0" * 400  # a 401-digit integer: valid JSON, too large for any float


MAX_IMAGE_VALUES = 10_000  # small, so an ordinary image is over it
AT_ONCE = 4  # clients of the flood, each sending a bomb, then a large image


@pytest.fixture(scope="module")
def server(bars_run: Path) -> Iterator[int]:
    with running_server(bars_run, max_image_values=MAX_IMAGE_VALUES) as port:
        yield port


def pixels_with(value: str) -> bytes:
    """The bars model's 28x28 input with one pixel written as `value` (raw JSON)."""
    rows = [[0] * 28 for _ in range(28)]
    text = json.dumps({"inputs": [rows]})
    return text.replace("0", value, 1).encode()


def blank_with(field: str, value: str) -> bytes:
    """A blank 28x28 input with `field` written as `value` (raw JSON)."""
    blank = json.dumps({"inputs": [[[0] * 28] * 28]})
    return f'{blank[:-1]}, "{field}": {value}}}'.encode()


OUT_OF_RANGE = [
    (pixels_with(HUGE), "1000000000"),
    (pixels_with("-" + HUGE), "-1000000000"),
    (pixels_with("1e999"), "1e999"),
    (blank_with("threshold", HUGE), "1000000000"),
    (blank_with("top_k", HUGE), "1000000000"),
]


@pytest.mark.parametrize(("body", "named"), OUT_OF_RANGE)
def test_a_number_out_of_range_is_a_400_naming_it(loopback, server, body, named) -> None:
    status, answer = post_json(server, body)
    assert status == 400, answer
    assert named in answer["error"] and "range" in answer["error"], answer


def test_an_out_of_range_form_field_is_a_400(loopback, server) -> None:
    x, _ = bar_images(1)
    for value in (HUGE, "1e999", "nan"):
        body, boundary = multipart({"top.png": png(x[0])}, {"threshold": value})
        status, answer = request(server, "POST", "/predict", body, form_type(boundary))
        assert status == 400 and "threshold" in answer["error"], (value, status, answer)


def test_an_image_over_the_limit_is_refused_before_decoding(loopback, server) -> None:
    x, _ = bar_images(1)
    wide = np.zeros((100, 200, 3), dtype=np.uint8)  # 60,000 values
    body, boundary = multipart({"small.png": png(x[0]), "wide.png": png(wide)})
    status, answer = request(server, "POST", "/predict", body, form_type(boundary))
    assert status == 413, answer
    assert answer["error"].startswith("wide.png: 200x100 pixels x 3 channels is 60,000 values")
    assert "limit of 10,000 (dlcli serve --max-image-values)" in answer["error"]
    body, boundary = multipart({"small.png": png(x[0])})  # 784 values
    assert request(server, "POST", "/predict", body, form_type(boundary))[0] == 200


def flood(port: int, bodies: list[bytes], headers: dict[str, str]) -> list[tuple[int, dict]]:
    """Every body sent by each of AT_ONCE clients at once; the answers."""
    answers: list[tuple[int, dict]] = []

    def client() -> None:
        for body in bodies:
            try:
                answers.append(request(port, "POST", "/predict", body, headers))
            except OSError as error:  # e.g. no answer in 20 s
                answers.append((0, {"error": repr(error)}))

    threads = [threading.Thread(target=client) for _ in range(AT_ONCE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return answers


def test_bombs_are_refused_from_the_header_and_memory_returns(loopback, bars_run) -> None:
    bomb, _ = multipart({"bomb.png": zero_png(13000, 13000, 4)})  # 657 KB, 676 MB decoded
    photo, boundary = multipart({"photo.png": zero_png(4000, 3000, 3)})  # 12 megapixels
    with served_process(bars_run) as (port, pid):
        for _ in range(2):  # the first decodes warm Pillow and the model up
            status, answer = request(port, "POST", "/predict", photo, form_type(boundary))
            assert status == 200, answer
        baseline = memory_mib(pid)
        answers = flood(port, [bomb, photo], form_type(boundary))
        after = memory_mib(pid)
    # Generous bounds: decoded, one bomb took 1.4 GB more. Here the peak was about 50 MiB
    # over the baseline and 10 MiB stayed; decoding on a pool of threads kept 200 MiB.
    assert after["VmHWM"] - baseline["VmRSS"] < 400, (baseline, after)
    assert after["VmRSS"] - baseline["VmRSS"] < 150, (baseline, after)
    assert sorted(s for s, _ in answers) == [200] * AT_ONCE + [413] * AT_ONCE, answers
    refused = [a["error"] for s, a in answers if s == 413]
    assert all(e.startswith("bomb.png: 13000x13000 pixels x 4 channels") for e in refused)
