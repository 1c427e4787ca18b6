"""A JSON document read as a stream of records, without loading it whole.

The records of a ``.json`` file are the elements of a top-level array, or, for a top-level
object, the elements of each array member (``users[]``) and the object's other members as one
record. Several top-level values one after another are all read. One record larger than
:data:`MAX_JSON_VALUE_BYTES` is an error (:class:`JsonTooLarge`), never a memory blow-up. The
records are flattened into fields by :mod:`piimap.connectors.json_flatten`.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from typing import Any, BinaryIO

from piimap.name_masking import mask_key

__all__ = ["MAX_JSON_VALUE_BYTES", "JsonTooLarge", "iter_json_records"]

#: Largest single record (array element or member) of a JSON document held in memory at once.
MAX_JSON_VALUE_BYTES = 32 << 20
_CHUNK = 1 << 20
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_decoder = json.JSONDecoder()


class JsonTooLarge(ValueError):
    """One JSON value is larger than :data:`MAX_JSON_VALUE_BYTES`."""


class _TextBuffer:
    """Decoded text of a byte stream, refilled on demand, with a read position."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self.text = ""
        self.pos = 0
        self.eof = False
        self.consumed = 0  # characters dropped from the front so far

    def fill(self, at_least: int = _CHUNK) -> bool:
        """Read more text; False at the end of the stream."""
        if self.eof:
            return False
        chunk = self._stream.read(max(_CHUNK, at_least))
        if not chunk:
            self.eof = True
            tail = self._decoder.decode(b"", final=True)
        else:
            tail = self._decoder.decode(chunk)
        self.consumed += self.pos
        self.text = self.text[self.pos :] + tail
        self.pos = 0
        return bool(chunk) or bool(tail)

    def skip_whitespace(self) -> str:
        """Move past whitespace; return the next character, or ``""`` at the end."""
        while True:
            found = _WHITESPACE.match(self.text, self.pos)  # always matches (maybe nothing)
            self.pos = found.end() if found is not None else self.pos
            if self.pos < len(self.text):
                return self.text[self.pos]
            if not self.fill():
                return ""

    def expect(self, char: str) -> bool:
        if self.skip_whitespace() == char:
            self.pos += 1
            return True
        return False

    def decode_value(self) -> Any:
        """Decode the JSON value at the position, reading more text until it is complete."""
        self.skip_whitespace()
        while True:
            try:
                value, end = _decoder.raw_decode(self.text, self.pos)
            except json.JSONDecodeError:
                if self.eof:
                    raise
                if len(self.text) - self.pos > MAX_JSON_VALUE_BYTES:
                    raise JsonTooLarge(
                        f"a JSON value near character {self.consumed + self.pos} is larger than "
                        f"{MAX_JSON_VALUE_BYTES >> 20} MiB"
                    ) from None
                self.fill(len(self.text) - self.pos)  # grow geometrically: no quadratic re-parsing
                continue
            if end == len(self.text) and not self.eof and not isinstance(value, (dict, list, str)):
                self.fill()  # a number cut by the buffer end: read on and decode it again
                continue
            self.pos = end
            return value


def iter_json_records(stream: BinaryIO) -> Iterator[tuple[str, Any]]:
    """Yield ``(prefix, record)`` pairs of a JSON document without loading it whole.

    Raises :class:`json.JSONDecodeError` or :class:`JsonTooLarge` where the document breaks;
    the records before that point have been yielded.
    """
    buffer = _TextBuffer(stream)
    while True:
        first = buffer.skip_whitespace()
        if not first:
            return
        if first == "[":
            buffer.pos += 1
            yield from _iter_array(buffer, "")
        elif first == "{":
            buffer.pos += 1
            yield from _iter_object(buffer)
        else:
            yield "", buffer.decode_value()


def _iter_array(buffer: _TextBuffer, prefix: str) -> Iterator[tuple[str, Any]]:
    if buffer.expect("]"):
        return
    while True:
        yield prefix, buffer.decode_value()
        if buffer.expect(","):
            continue
        if buffer.expect("]"):
            return
        raise json.JSONDecodeError("expected ',' or ']' in an array", buffer.text, buffer.pos)


def _iter_object(buffer: _TextBuffer) -> Iterator[tuple[str, Any]]:
    members: dict[str, Any] = {}
    if not buffer.expect("}"):
        while True:
            if buffer.skip_whitespace() != '"':
                raise json.JSONDecodeError("expected a member name", buffer.text, buffer.pos)
            key = buffer.decode_value()
            if not buffer.expect(":"):
                raise json.JSONDecodeError("expected ':' after a member name", buffer.text, buffer.pos)
            if buffer.skip_whitespace() == "[":
                buffer.pos += 1
                yield from _iter_array(buffer, f"{mask_key(key)}[]")
            else:
                members[key] = buffer.decode_value()
            if buffer.expect(","):
                continue
            if buffer.expect("}"):
                break
            raise json.JSONDecodeError("expected ',' or '}' in an object", buffer.text, buffer.pos)
    if members:
        yield "", members
