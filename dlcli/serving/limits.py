"""What one request or one client may take from `dlcli serve`, and the checks that hold
a request to it before it costs memory: numbers parsed so none can overflow, image
dimensions read from the file's header before anything is decoded."""

from __future__ import annotations

import io
import json
import math
import warnings
from dataclasses import dataclass
from typing import Any

from dlcli.errors import DataError, UsageError, first_line

MAX_BODY = 4 * 1024 * 1024  # bytes: a phone photo fits, a flood of megabytes does not
# Decoded image values (width x height x channels): a 16-megapixel RGB photo fits, and
# decoding one costs about 13 bytes a pixel at the peak (RGBA composited over white).
MIN_IMAGE_VALUES = 50_000_000
MAX_REQUESTS = 64  # handled at once; one more is a 503, not a queue
MAX_CONNECTIONS = 1000  # open at once; each idle one costs a socket and a 16 KB buffer
HEADER_TIMEOUT = 10.0  # seconds for a request's head
BODY_TIMEOUT = 60.0  # seconds for its body, after the head: 4 MiB at 70 KB/s


class TooLarge(DataError):
    """A request over the server's limits (413)."""


@dataclass(frozen=True)
class ServeLimits:
    max_body: int = MAX_BODY
    max_image_values: int | None = None  # None: the larger of MIN_IMAGE_VALUES, 4x the input
    header_timeout: float = HEADER_TIMEOUT
    body_timeout: float = BODY_TIMEOUT
    max_requests: int = MAX_REQUESTS
    max_connections: int = MAX_CONNECTIONS

    def __post_init__(self) -> None:
        for option, value in (("--header-timeout", self.header_timeout),
                              ("--body-timeout", self.body_timeout)):  # fmt: skip
            if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
                raise UsageError(f"{option} {value}: give a number of seconds above 0")
        if self.max_image_values is not None and self.max_image_values < 1:
            raise UsageError(f"--max-image-values {self.max_image_values}: give at least 1")

    def image_values(self, input_values: int) -> int:
        """The decoded size an upload may have, for a model taking `input_values`."""
        if self.max_image_values is not None:
            return self.max_image_values
        return max(MIN_IMAGE_VALUES, 4 * input_values)


def parse_json_body(body: bytes) -> dict[str, Any]:
    """The request's JSON object. A number no 64-bit float holds (a 401-digit integer,
    1e999) and NaN/Infinity are refused as they are parsed, named as the body wrote them."""
    try:
        request = json.loads(
            body, parse_int=_integer, parse_float=_decimal, parse_constant=_constant
        )
    except (ValueError, RecursionError) as error:
        if isinstance(error, DataError):
            raise
        raise DataError(f"the body is not valid JSON ({first_line(error)})") from None
    if not isinstance(request, dict):
        raise DataError('the body must be a JSON object: {"inputs": [...]}')
    return request


def _out_of_range(text: str) -> DataError:
    digits = sum(c.isdigit() for c in text)
    shown = text if len(text) <= 24 else f"{text[:12]}...{text[-4:]} ({digits} digits)"
    return DataError(
        f"the body holds the number {shown}, out of the range of a 64-bit float "
        "(at most about 1.8e308 either way)"
    )


def _integer(text: str) -> int:
    if len(text) > 320:  # past any float, and int() of thousands of digits is slow
        raise _out_of_range(text)
    value = int(text)
    try:
        float(value)
    except OverflowError:
        raise _out_of_range(text) from None
    return value


def _decimal(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # "1e999" parses as inf
        raise _out_of_range(text)
    return value


def _constant(text: str) -> None:
    raise DataError(f"the body holds {text}, which is not a number JSON allows")


def check_image_header(data: bytes, name: str, max_values: int) -> None:
    """Refuse (413) an upload whose width x height x channels is over `max_values`,
    from its header alone: a 657 KB PNG of zeros can decode to 676 million values."""
    from PIL import Image

    try:
        with warnings.catch_warnings():  # the limit below is the one that applies
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:  # reads the header, decodes nothing
                (width, height), channels = img.size, len(img.getbands())
    except Image.DecompressionBombError as e:  # over twice Pillow's own limit
        raise TooLarge(f"{name}: {e}; send a smaller image") from None
    except (OSError, ValueError, SyntaxError) as e:
        raise DataError(
            f"{name}: cannot read as an image ({e}); check it is a complete PNG/JPEG/BMP/GIF file"
        ) from None
    values = width * height * channels
    if values > max_values:
        raise TooLarge(
            f"{name}: {width}x{height} pixels x {channels} channels is {values:,} values "
            f"decoded, over the server's limit of {max_values:,} (dlcli serve "
            "--max-image-values); send a smaller image"
        )
