/**
 * List results: `list()` returns a `PageIterator` at once (no request yet).
 *
 * - `for await (const item of client.instances.list())` walks every item across pages;
 * - `await list.firstPage()` gives one page (`.items`, `.nextToken`) for manual paging, and
 *   `client.instances.list({ nextToken })` continues from a token;
 * - `for await (const page of list.pages())` walks page by page.
 */

export interface Page<T> {
  items: T[];
  /** Pass it back as `nextToken` for the next page; null on the last page. */
  nextToken: string | null;
}

/** Fetches the page that starts at `nextToken` (the first page when undefined). */
export type PageFetcher<T> = (nextToken: string | undefined) => Promise<Page<T>>;

export class PageIterator<T> implements AsyncIterable<T> {
  readonly #fetchPage: PageFetcher<T>;
  readonly #startToken: string | undefined;

  constructor(fetchPage: PageFetcher<T>, startToken?: string) {
    this.#fetchPage = fetchPage;
    this.#startToken = startToken;
  }

  /** The first page (from the `nextToken` given to `list()`, if any). Each call sends a request. */
  firstPage(): Promise<Page<T>> {
    return this.#fetchPage(this.#startToken);
  }

  /** Every page, in order, until one has no `nextToken`. */
  async *pages(): AsyncGenerator<Page<T>, void, undefined> {
    let token = this.#startToken;
    const seen = new Set<string>();
    for (;;) {
      const page = await this.#fetchPage(token);
      yield page;
      // A token seen before would loop forever: stop rather than trust it.
      if (page.nextToken === null || seen.has(page.nextToken)) return;
      seen.add(page.nextToken);
      token = page.nextToken;
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for await (const page of this.pages()) {
      yield* page.items;
    }
  }

  /** Every item across pages, in one array. */
  async toArray(): Promise<T[]> {
    const all: T[] = [];
    for await (const item of this) all.push(item);
    return all;
  }
}
