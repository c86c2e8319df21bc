"""Values kept by their content for a process's later requests: bounded in size, shared by threads.

Used by the web pages' rows (`web.lib.unit_year`) and the bar charts (`export.charts`): what a page
shows again is not made again, and a worker's memory stays bounded."""

from __future__ import annotations

import threading
from typing import Any


class Kept:
    """Values by their content (the key: every input of what made them), at most `limit`
    characters of them (`size` of each, given), the oldest dropped first: workers' memory stays
    bounded, and what a page shows again is not made again."""

    def __init__(self, limit: int) -> None:
        self.limit, self.size = limit, 0
        self.values: dict[Any, tuple[Any, int]] = {}
        self.lock = threading.Lock()  # a worker's threads share it

    def get(self, key: Any) -> Any:
        kept = self.values.get(key)
        return None if kept is None else kept[0]

    def put(self, key: Any, value: Any, size: int) -> None:
        values = self.values
        with self.lock:
            if key in values or size > self.limit:
                return
            while values and self.size + size > self.limit:
                self.size -= values.pop(next(iter(values)))[1]
            values[key] = (value, size)
            self.size += size
