import { ActionIcon, Alert, Anchor, Button, Group, Loader, Stack, Switch, Text, TextInput, Tooltip } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useInfiniteQuery, useQueryClient } from "@tanstack/react-query";
import { Link, getRouteApi } from "@tanstack/react-router";
import { useVirtualizer } from "@tanstack/react-virtual";
import { Fragment, memo, useCallback, useEffect, useLayoutEffect, useReducer, useRef, useState } from "react";

import { ApiError } from "../../api/client";
import { isActive } from "../../api/graph";
import {
  type LogLine,
  type LogSearchHit,
  fetchFirstError,
  fetchLogPage,
  fetchLogTail,
  logDownloadUrl,
  logStreamUrl,
  searchLog,
} from "../../api/logs";
import { stepKeys } from "../../api/steps";
import { LogPages, PAGE, classify, highlight, openAt, shown, stepHit } from "./logModel";
import "./logs.css";

const route = getRouteApi("/runs/$runId");

const ROW_HEIGHT = 18;
/**
 * Lines per virtual item. The virtualizer keeps one record per item and recomputes them all
 * when an item's measured size changes; over a million single lines that is ~50 ms a time,
 * over blocks of 25 it is nothing, and a block still sizes itself to its wrapped lines.
 */
const BLOCK = 25;
/** Hits fetched per search request; more are fetched when next/previous reach the end. */
const HITS_PAGE = 200;

type ViewState = "loading" | "ready" | "empty" | "error";

/**
 * A step's log: a virtualized view over pages fetched on demand, so a million-line log
 * opens as fast as a short one. Line numbers are permalinks (`line`), the search (`logq`)
 * runs on the server over the whole log, and a running step's new lines stream in.
 */
export function LogsTab({
  runId,
  step,
  status,
  cachedFromRunId,
}: {
  runId: string;
  step: string;
  status: string;
  /** For a cached step: the run whose step made the outputs (and wrote the logs). */
  cachedFromRunId?: string | undefined;
}) {
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const queryClient = useQueryClient();
  const running = isActive(status);

  const [pages] = useState(() => new LogPages());
  const [total, setTotal] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [attempt, retry] = useReducer((x: number) => x + 1, 0);
  const [, repaint] = useReducer((x: number) => x + 1, 0);
  const [follow, setFollow] = useState(running && search.line === undefined);
  const [streaming, setStreaming] = useState(false);
  const [errorNote, setErrorNote] = useState<string | null>(null);
  const scrollRef = useRef<HTMLDivElement>(null);
  const readyRef = useRef(false);
  // Where the first page is read from is decided once, at mount: later URL changes scroll instead.
  const opening = useRef({ line: search.line, at: openAt(status) });
  // A line number clicked in the view is already on screen: selecting it must not scroll.
  const clicked = useRef<number | undefined>(undefined);

  const totalRef = useRef(0);
  useLayoutEffect(() => {
    totalRef.current = total ?? 0;
  }, [total]);
  const grow = useCallback((n: number) => setTotal((t) => (t === null || n > t ? n : t)), []);

  const virtualizer = useVirtualizer({
    count: Math.ceil((total ?? 0) / BLOCK),
    getScrollElement: () => scrollRef.current,
    estimateSize: () => BLOCK * ROW_HEIGHT,
    overscan: 1,
  });

  // The block holding a line is scrolled to first; once it is drawn, the line itself is
  // placed (centred, or at the bottom for the tail).
  const scrollToLine = useCallback(
    (n: number, align: "center" | "end") => {
      virtualizer.scrollToIndex(Math.floor(n / BLOCK), { align: align === "end" ? "end" : "start" });
      let tries = 0;
      const place = () => {
        const scroller = scrollRef.current;
        const el = scroller?.querySelector<HTMLElement>(`[data-line="${n}"]`);
        if (!scroller || !el) {
          if (++tries < 20) window.requestAnimationFrame(place);
          return;
        }
        const delta = el.getBoundingClientRect().top - scroller.getBoundingClientRect().top;
        const target = align === "end" ? delta - scroller.clientHeight + el.offsetHeight : delta - (scroller.clientHeight - el.offsetHeight) / 2;
        scroller.scrollTop += target;
      };
      window.requestAnimationFrame(place);
    },
    [virtualizer],
  );

  // The first page: around the permalinked line, else the tail or the start (see openAt).
  useEffect(() => {
    const ctrl = new AbortController();
    const { line, at } = opening.current;
    const load =
      line !== undefined
        ? fetchLogPage(runId, step, Math.floor(line / PAGE) * PAGE, PAGE, ctrl.signal)
        : at === "tail"
          ? fetchLogTail(runId, step, PAGE, ctrl.signal)
          : fetchLogPage(runId, step, 0, PAGE, ctrl.signal);
    setError(null);
    load.then(
      (page) => {
        pages.put(page.lines);
        setTotal(page.total);
      },
      (e: unknown) => {
        if (!ctrl.signal.aborted) setError(e);
      },
    );
    return () => ctrl.abort();
  }, [runId, step, pages, attempt]);

  const loaded = total !== null;
  useLayoutEffect(() => {
    if (!loaded) return;
    const { line, at } = opening.current;
    const last = totalRef.current - 1;
    if (line !== undefined) scrollToLine(Math.min(line, last), "center");
    else if (at === "tail") scrollToLine(last, "end");
  }, [loaded, scrollToLine]);

  // Pages the visible rows lack, fetched once scrolling pauses (a scrollbar drag across a
  // million lines must not fetch every page it passes).
  const items = virtualizer.getVirtualItems();
  const from = (items[0]?.index ?? 0) * BLOCK;
  const to = Math.min(((items.at(-1)?.index ?? -1) + 1) * BLOCK, total ?? 0);
  useEffect(() => {
    if (total === null || to <= from) return;
    pages.touch(from, to);
    const wanted = pages.missing(from, to, total);
    if (wanted.length === 0) return;
    const timer = window.setTimeout(() => {
      for (const p of wanted) {
        pages.fetching(p, true);
        fetchLogPage(runId, step, p * PAGE, PAGE)
          .then(
            (page) => {
              pages.put(page.lines);
              grow(page.total);
              repaint();
            },
            (e: unknown) => setError(e),
          )
          .finally(() => pages.fetching(p, false));
      }
    }, 50);
    return () => window.clearTimeout(timer);
  }, [from, to, total, pages, runId, step, grow]);

  // A running step's new lines, pushed by the server from the last line loaded; batched per frame.
  useEffect(() => {
    if (!running || !loaded) return;
    const es = new EventSource(logStreamUrl(runId, step, totalRef.current));
    let batch: LogLine[] = [];
    let frame = 0;
    const flush = () => {
      frame = 0;
      pages.put(batch);
      const last = batch.at(-1);
      batch = [];
      if (last) grow(last.n + 1);
      repaint();
    };
    es.addEventListener("open", () => setStreaming(true));
    es.addEventListener("line", (e) => {
      try {
        batch.push(JSON.parse((e as MessageEvent<string>).data) as LogLine);
      } catch {
        return; // a malformed event is skipped; the next page fetch fills the gap
      }
      if (!frame) frame = window.requestAnimationFrame(flush);
    });
    es.addEventListener("end", () => {
      es.close();
      setStreaming(false);
      void queryClient.invalidateQueries({ queryKey: stepKeys.detail(runId, step) });
    });
    es.addEventListener("error", () => {
      if (es.readyState === EventSource.CLOSED) setStreaming(false);
    });
    return () => {
      es.close();
      if (frame) window.cancelAnimationFrame(frame);
      setStreaming(false);
    };
  }, [running, loaded, runId, step, pages, grow, queryClient]);

  useEffect(() => {
    if (follow && total !== null && total > 0) scrollToLine(total - 1, "end");
  }, [follow, total, scrollToLine]);

  // A line chosen elsewhere (search hit, first error, Back) is scrolled into view.
  useEffect(() => {
    const line = search.line;
    if (line === undefined || !loaded) return;
    if (clicked.current === line) {
      clicked.current = undefined;
      return;
    }
    setFollow(false);
    scrollToLine(Math.min(line, totalRef.current - 1), "center");
  }, [search.line, loaded, scrollToLine]);

  const goToLine = useCallback(
    (line: number | undefined, replace: boolean) => void navigate({ search: (prev) => ({ ...prev, line }), replace }),
    [navigate],
  );

  const jumpToFirstError = async () => {
    setErrorNote(null);
    try {
      const line = await fetchFirstError(runId, step);
      if (line) goToLine(line.n, false);
      else setErrorNote("No line went to stderr or was logged at ERROR or above.");
    } catch (e) {
      setErrorNote(e instanceof ApiError ? e.message : "Could not reach the server.");
    }
  };

  let state: ViewState = "loading";
  if (error && total === null) state = "error";
  else if (total === 0) state = "empty";
  else if (readyRef.current || (total !== null && inView(virtualizer, total).every((n) => pages.line(n)))) state = "ready";
  useEffect(() => {
    if (state === "ready") readyRef.current = true;
  });

  const onSelect = useCallback((n: number) => {
    clicked.current = n;
    setFollow(false);
  }, []);

  const stopFollowing = () => {
    if (follow) setFollow(false);
  };

  return (
    <Stack gap="xs" style={{ flex: 1, minHeight: 0 }}>
      <SearchBar runId={runId} step={step} total={total} onGo={goToLine} />
      <Group gap="xs" justify="space-between" wrap="nowrap">
        <Group gap="xs" wrap="nowrap">
          <Button size="compact-xs" variant="default" onClick={() => void jumpToFirstError()}>
            Jump to first error
          </Button>
          <Button size="compact-xs" variant="default" component="a" href={logDownloadUrl(runId, step)} download>
            Download
          </Button>
        </Group>
        <Group gap="xs" wrap="nowrap">
          <Text fz="xs" c="dimmed" data-testid="log-count">
            {total === null ? "" : `${total.toLocaleString()} line${total === 1 ? "" : "s"}`}
          </Text>
          {running && (
            <Tooltip label={streaming ? "New lines arrive live" : "Connecting to the live log"}>
              <Switch
                size="xs"
                label={streaming ? "Follow (live)" : "Follow"}
                checked={follow}
                onChange={(e) => setFollow(e.currentTarget.checked)}
              />
            </Tooltip>
          )}
        </Group>
      </Group>
      {errorNote && (
        <Text fz="xs" c="dimmed" role="status">
          {errorNote}
        </Text>
      )}
      {state === "error" ? (
        <Alert color="red" title="Could not load the log" role="alert">
          <Stack gap="xs" align="flex-start">
            <Text fz="sm">{error instanceof ApiError ? error.message : "The Waypost server did not answer; check that it is running."}</Text>
            <Button size="xs" variant="light" onClick={retry}>
              Retry
            </Button>
          </Stack>
        </Alert>
      ) : (
        <div
          ref={scrollRef}
          className="wp-log-scroller"
          data-testid="log-view"
          data-state={state}
          tabIndex={0}
          aria-label="Log lines"
          onWheel={(e) => {
            if (e.deltaY < 0) stopFollowing();
          }}
          onKeyDown={(e) => {
            if (["ArrowUp", "PageUp", "Home"].includes(e.key)) stopFollowing();
          }}
        >
          {state === "loading" && total === null && (
            <Group gap="xs" p="xs">
              <Loader size="xs" />
              <Text fz="xs" c="dimmed">
                Loading the log…
              </Text>
            </Group>
          )}
          {state === "empty" && (
            <Text fz="sm" c="dimmed" p="sm">
              {running ? (
                "No output yet; lines appear here as the step writes them."
              ) : status === "cached" ? (
                <>
                  This step came from the cache and did not run, so it wrote no log.{" "}
                  {cachedFromRunId && (
                    <Anchor fz="sm" renderRoot={(props) => <Link {...props} to="/runs/$runId" params={{ runId: cachedFromRunId }} search={{ step, tab: "logs" }} />}>
                      See the log of the run that made its outputs
                    </Anchor>
                  )}
                </>
              ) : (
                "This step wrote nothing to stdout, stderr or logging (or its log capture was off)."
              )}
            </Text>
          )}
          {total !== null && total > 0 && (
            <div style={{ height: virtualizer.getTotalSize(), position: "relative", width: "100%" }}>
              {items.map((v) => (
                <div
                  key={v.key}
                  ref={virtualizer.measureElement}
                  data-index={v.index}
                  style={{ position: "absolute", top: 0, left: 0, width: "100%", transform: `translateY(${v.start}px)` }}
                >
                  {blockLines(v.index, total).map((n) => (
                    <Row
                      key={n}
                      index={n}
                      line={pages.line(n)}
                      current={search.line === n}
                      term={search.logq}
                      onSelect={onSelect}
                    />
                  ))}
                </div>
              ))}
            </div>
          )}
        </div>
      )}
      <SearchResults runId={runId} step={step} onGo={goToLine} />
    </Stack>
  );
}

const Row = memo(function Row({
  index,
  line,
  current,
  term,
  onSelect,
}: {
  index: number;
  line: LogLine | undefined;
  current: boolean;
  term: string | undefined;
  onSelect: (n: number) => void;
}) {
  const kind = line ? classify(line) : undefined;
  const text = line ? shown(line.m) : undefined;
  return (
    <div
      data-testid="log-line"
      data-line={index}
      data-current={current || undefined}
      data-tone={kind?.tone}
      className="wp-log-row"
    >
      <Link
        className="wp-log-num"
        from="/runs/$runId"
        to="."
        search={(prev) => ({ ...prev, line: index })}
        onClick={() => onSelect(index)}
        aria-label={`Line ${index}`}
      >
        {index}
      </Link>
      <span className="wp-log-mark" style={kind?.color ? { color: `var(--mantine-color-${kind.color}-filled)` } : { color: "var(--mantine-color-dimmed)" }}>
        {kind?.mark ?? ""}
      </span>
      {line && text ? (
        <span className="wp-log-text" data-tone={kind?.tone}>
          {highlight(text.text, term).map((s, i) =>
            s.hit ? (
              <mark key={i} className="wp-log-hit">
                {s.text}
              </mark>
            ) : (
              <Fragment key={i}>{s.text}</Fragment>
            ),
          )}
          {text.cut > 0 && <span className="wp-log-pending"> … {text.cut.toLocaleString()} more characters (download the log to see them)</span>}
        </span>
      ) : (
        <span className="wp-log-text wp-log-pending">…</span>
      )}
    </div>
  );
});

/** Line numbers of block `index`. */
function blockLines(index: number, total: number): number[] {
  const out: number[] = [];
  for (let n = index * BLOCK; n < Math.min((index + 1) * BLOCK, total); n++) out.push(n);
  return out;
}

/** Line numbers of the blocks on screen (not the overscan). */
function inView(virtualizer: { scrollOffset: number | null; scrollRect: { height: number } | null; getVirtualItems: () => { index: number; start: number; end: number }[] }, total: number): number[] {
  const top = virtualizer.scrollOffset ?? 0;
  const bottom = top + (virtualizer.scrollRect?.height ?? 0);
  const blocks = virtualizer.getVirtualItems().filter((v) => v.end > top && v.start < bottom);
  return blocks.length === 0 ? [-1] : blocks.flatMap((v) => blockLines(v.index, total));
}

function useLogSearch(runId: string, step: string, q: string | undefined) {
  return useInfiniteQuery({
    queryKey: ["log-search", runId, step, q],
    enabled: !!q,
    initialPageParam: 0,
    queryFn: ({ pageParam, signal }) => searchLog(runId, step, q ?? "", { offset: pageParam, limit: HITS_PAGE, context: 2 }, signal),
    getNextPageParam: (last) => (last.hits.length === HITS_PAGE ? (last.hits.at(-1)?.line.n ?? 0) + 1 : undefined),
    staleTime: 30_000,
  });
}

/** The search box (bound to `logq`), the hit count and next/previous. */
function SearchBar({
  runId,
  step,
  total,
  onGo,
}: {
  runId: string;
  step: string;
  total: number | null;
  onGo: (line: number | undefined, replace: boolean) => void;
}) {
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const [draft, setDraft] = useState(search.logq ?? "");
  const [debounced] = useDebouncedValue(draft, 300);
  const committed = useRef(search.logq ?? "");

  const commit = useCallback(
    (q: string) => {
      const next = q.trim();
      if (next === committed.current) return;
      committed.current = next;
      void navigate({ search: (prev) => ({ ...prev, logq: next || undefined }), replace: true });
    },
    [navigate],
  );
  useEffect(() => commit(debounced), [debounced, commit]);
  // Back/Forward change `logq` under the box: show what the URL says.
  useEffect(() => {
    const q = search.logq ?? "";
    if (q !== committed.current) {
      committed.current = q;
      setDraft(q);
    }
  }, [search.logq]);

  const q = search.logq;
  const found = useLogSearch(runId, step, q);
  const hits = found.data?.pages.flatMap((p) => p.hits) ?? [];
  const first = found.data?.pages[0];
  const current = search.line === undefined ? -1 : hits.findIndex((h) => h.line.n === search.line);

  // A new search goes to its first hit, as a browser's find does.
  const jumped = useRef<string | undefined>(undefined);
  const firstHit = first?.hits[0]?.line.n;
  useEffect(() => {
    if (q && firstHit !== undefined && jumped.current !== q) {
      jumped.current = q;
      onGo(firstHit, true);
    }
  }, [q, firstHit, onGo]);

  const go = async (dir: 1 | -1) => {
    if (!q) return;
    if (draft.trim() !== q) return commit(draft);
    let list = hits;
    let at = current === -1 ? undefined : current;
    if (at === undefined && search.line !== undefined) {
      // Not on a hit: go to the nearest one in the direction asked.
      const line = search.line;
      const idx = dir === 1 ? list.findIndex((h) => h.line.n > line) : list.findLastIndex((h) => h.line.n < line);
      if (idx !== -1) return onGo(list[idx]?.line.n, true);
    }
    if (dir === 1 && at === list.length - 1 && found.hasNextPage) {
      const more = await found.fetchNextPage();
      list = more.data?.pages.flatMap((p) => p.hits) ?? list;
    }
    at = stepHit(at, list.length, dir, !found.hasNextPage);
    if (at !== undefined) onGo(list[at]?.line.n, true);
  };

  let count = "";
  if (q && found.isFetching && !first) count = "Searching…";
  else if (q && found.error) count = found.error instanceof ApiError ? found.error.message : "Search failed";
  else if (q && first) {
    const all = `${first.total.toLocaleString()}${first.more ? "+" : ""}`;
    count = first.total === 0 ? "No matches" : current >= 0 ? `${current + 1} of ${all}` : `${all} matches`;
  }

  return (
    <Group gap={4} wrap="nowrap">
      <TextInput
        aria-label="Search logs"
        placeholder={total && total > 1 ? `Search ${total.toLocaleString()} lines` : "Search the log"}
        size="xs"
        style={{ flex: 1 }}
        value={draft}
        onChange={(e) => setDraft(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter") {
            e.preventDefault();
            void go(e.shiftKey ? -1 : 1);
          } else if (e.key === "Escape") {
            setDraft("");
            commit("");
          }
        }}
        rightSection={found.isFetching ? <Loader size={12} /> : undefined}
      />
      <Text fz="xs" c={found.error ? "red" : "dimmed"} data-testid="log-hits" miw={70} ta="center" aria-live="polite">
        {count}
      </Text>
      <ActionIcon variant="default" size="md" aria-label="Previous match" disabled={!first?.total} onClick={() => void go(-1)}>
        ↑
      </ActionIcon>
      <ActionIcon variant="default" size="md" aria-label="Next match" disabled={!first?.total} onClick={() => void go(1)}>
        ↓
      </ActionIcon>
    </Group>
  );
}

/** The loaded hits with a little context each; a click goes to the hit in the view. */
function SearchResults({ runId, step, onGo }: { runId: string; step: string; onGo: (line: number, replace: boolean) => void }) {
  const search = route.useSearch();
  const [open, setOpen] = useState(true);
  const found = useLogSearch(runId, step, search.logq);
  const hits = found.data?.pages.flatMap((p) => p.hits) ?? [];
  if (!search.logq || hits.length === 0) return null;
  return (
    <Stack gap={4}>
      <Group justify="space-between">
        <Anchor component="button" type="button" fz="xs" onClick={() => setOpen((o) => !o)}>
          {open ? "Hide" : "Show"} {hits.length.toLocaleString()} result{hits.length === 1 ? "" : "s"} with context
        </Anchor>
        {open && found.hasNextPage && (
          <Anchor component="button" type="button" fz="xs" onClick={() => void found.fetchNextPage()}>
            Load more
          </Anchor>
        )}
      </Group>
      {open && (
        <div className="wp-log-results" data-testid="log-results">
          {hits.map((hit) => (
            <ResultItem key={hit.line.n} hit={hit} term={search.logq} current={search.line === hit.line.n} onGo={onGo} />
          ))}
        </div>
      )}
    </Stack>
  );
}

function ResultItem({
  hit,
  term,
  current,
  onGo,
}: {
  hit: LogSearchHit;
  term: string | undefined;
  current: boolean;
  onGo: (line: number, replace: boolean) => void;
}) {
  const context = (line: LogLine) => (
    <div key={line.n} className="wp-log-context">
      {String(line.n).padStart(7)} {shown(line.m).text.slice(0, 300)}
    </div>
  );
  return (
    <button type="button" className="wp-log-result" data-current={current || undefined} onClick={() => onGo(hit.line.n, true)}>
      {hit.before?.map(context)}
      <div className="wp-log-hitline">
        <b>{String(hit.line.n).padStart(7)}</b>{" "}
        {highlight(shown(hit.line.m).text.slice(0, 300), term).map((s, i) =>
          s.hit ? (
            <mark key={i} className="wp-log-hit">
              {s.text}
            </mark>
          ) : (
            <Fragment key={i}>{s.text}</Fragment>
          ),
        )}
      </div>
      {hit.after?.map(context)}
    </button>
  );
}
