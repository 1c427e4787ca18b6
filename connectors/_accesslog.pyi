"""Types of the C extension built from ``_accesslog.c`` (see its docstrings)."""

from typing_extensions import Buffer

class LogTally:
    def __init__(
        self,
        format: str = "accesslog",
        *,
        seed: int = ...,
        exact_values: int = 1024,
        part_values: int = 8192,
        reps: int = 4,
        max_distinct: int = 120000,
        max_bytes: int = ...,
        max_shapes: int = 20000,
    ) -> None: ...
    def feed(self, block: Buffer, /) -> bytes: ...
    def drain(self) -> list[tuple[str, str | int | None, dict[str, int], int]]: ...
    @property
    def distinct(self) -> int: ...
    @property
    def shapes(self) -> int: ...
    @property
    def held_bytes(self) -> int: ...
    @property
    def lines(self) -> int: ...
    @property
    def must_drain(self) -> bool: ...

def shape(value: Buffer, text: bool = False) -> tuple[bytes, bool]: ...
