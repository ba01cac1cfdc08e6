"""Page objects: ``.items`` and ``.next_token`` for manual paging, iteration across every page."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

# Every list the server pages ends; this bounds a misbehaving one (a token that never runs out).
MAX_PAGES = 100_000


@dataclass
class Page(Generic[T]):
    """One page of a list: its items and the token of the next page (None on the last)."""

    items: list[T]
    next_token: str | None


SyncFetch = Callable[[str | None], Page[T]]
AsyncFetch = Callable[[str | None], Awaitable[Page[T]]]


class SyncPage(Generic[T]):
    """The first page of a list; iterating it walks every item of every page."""

    def __init__(self, fetch: SyncFetch[T], first: Page[T]) -> None:
        self._fetch = fetch
        self.items = first.items
        self.next_token = first.next_token

    def has_next_page(self) -> bool:
        return self.next_token is not None

    def next_page(self) -> SyncPage[T]:
        if self.next_token is None:
            raise StopIteration("this is the last page")
        return SyncPage(self._fetch, self._fetch(self.next_token))

    def iter_pages(self) -> Iterator[SyncPage[T]]:
        page = self
        for _ in range(MAX_PAGES):
            yield page
            if not page.has_next_page():
                return
            page = page.next_page()
        raise RuntimeError(f"more than {MAX_PAGES} pages")

    def __iter__(self) -> Iterator[T]:
        for page in self.iter_pages():
            yield from page.items

    def __repr__(self) -> str:
        return f"SyncPage(items={len(self.items)}, next_token={self.next_token!r})"


class AsyncPage(Generic[T]):
    """An async list: ``await`` it for the first page, or ``async for`` over every item."""

    def __init__(self, fetch: AsyncFetch[T], first: Page[T] | None = None, next_token: str | None = None) -> None:
        self._fetch = fetch
        self._first = first
        self._start = next_token
        self.items: list[T] = first.items if first else []
        self.next_token: str | None = first.next_token if first else None

    async def _load(self) -> AsyncPage[T]:
        if self._first is None:
            self._first = await self._fetch(self._start)
            self.items, self.next_token = self._first.items, self._first.next_token
        return self

    def __await__(self) -> Generator[object, None, AsyncPage[T]]:
        return self._load().__await__()

    def has_next_page(self) -> bool:
        return self.next_token is not None

    async def next_page(self) -> AsyncPage[T]:
        if self.next_token is None:
            raise StopAsyncIteration("this is the last page")
        return AsyncPage(self._fetch, await self._fetch(self.next_token))

    async def iter_pages(self) -> AsyncIterator[AsyncPage[T]]:
        page = await self._load()
        for _ in range(MAX_PAGES):
            yield page
            if not page.has_next_page():
                return
            page = await page.next_page()
        raise RuntimeError(f"more than {MAX_PAGES} pages")

    async def _items(self) -> AsyncIterator[T]:
        async for page in self.iter_pages():
            for item in page.items:
                yield item

    def __aiter__(self) -> AsyncIterator[T]:
        return self._items()

    def __repr__(self) -> str:
        return f"AsyncPage(items={len(self.items)}, next_token={self.next_token!r})"
