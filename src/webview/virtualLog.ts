// A virtualised log pane: a spacer as tall as all rows gives the scrollbar its size, and a fixed pool of row
// elements (one screenful plus a margin) is re-filled on scroll. The DOM never holds more than ~100 rows,
// whether the view has ten lines or ten million. Rows have a fixed height (CSS --row-height must match).
import { ansiClass, ansiSegments } from '../shared/ansi';
import type { FilteredView, WebviewLogStore } from './logStore';
import { LEVEL, SOURCE } from './logStore';

export const ROW_HEIGHT = 18;
/** Browsers cap element heights (~33M px in Chromium); beyond this the scroll position is scaled. */
const MAX_SPACER_PX = 16_000_000;
const OVERSCAN = 10;

export class VirtualLog {
  private readonly spacer: HTMLDivElement;
  private readonly layer: HTMLDivElement;
  private readonly pool: HTMLDivElement[] = [];
  private view: FilteredView | undefined;
  private frame = 0;
  /** Stick to the bottom while new lines arrive (until the user scrolls up). */
  follow = true;
  showResource = true;
  /** Called when follow mode changes because the user scrolled. */
  onFollowChange: (follow: boolean) => void = () => undefined;

  constructor(
    readonly viewport: HTMLElement,
    private readonly store: WebviewLogStore,
  ) {
    this.spacer = document.createElement('div');
    this.spacer.className = 'log-spacer';
    this.layer = document.createElement('div');
    this.layer.className = 'log-layer';
    viewport.append(this.spacer, this.layer);
    viewport.addEventListener('scroll', () => {
      const atBottom = viewport.scrollTop + viewport.clientHeight >= viewport.scrollHeight - ROW_HEIGHT * 2;
      if (atBottom !== this.follow) {
        this.follow = atBottom;
        this.onFollowChange(atBottom);
      }
      this.schedule();
    }, { passive: true });
    new ResizeObserver(() => this.schedule()).observe(viewport);
  }

  setView(view: FilteredView): void {
    this.view = view;
    this.schedule();
  }

  /** Re-renders on the next animation frame (many calls per frame cost one render). */
  schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  scrollToBottom(): void {
    this.follow = true;
    this.viewport.scrollTop = this.viewport.scrollHeight;
    this.schedule();
  }

  /** Synchronous render (also used by benchmarks). */
  render(): void {
    const view = this.view;
    const total = view?.size ?? 0;
    const vp = this.viewport;
    const content = total * ROW_HEIGHT;
    const spacerPx = Math.min(content, MAX_SPACER_PX);
    if (this.spacer.style.height !== `${spacerPx}px`) this.spacer.style.height = `${spacerPx}px`;
    if (this.follow && total > 0) vp.scrollTop = vp.scrollHeight;

    const visible = Math.ceil(vp.clientHeight / ROW_HEIGHT) + 1;
    const rows = Math.min(total, visible + OVERSCAN);
    while (this.pool.length < rows) this.pool.push(this.layer.appendChild(makeRow()));
    for (let k = rows; k < this.pool.length; k++) this.pool[k]!.style.display = 'none';
    if (!view || rows === 0) return;

    // Rows sit in a layer translated to content coordinates. Unscaled: line j is at j * ROW_HEIGHT.
    // Scaled: the first visible line follows the scroll fraction and is drawn at the viewport top.
    const top = vp.scrollTop;
    let first: number;
    let layerTop: number;
    if (content <= MAX_SPACER_PX) {
      first = Math.max(0, Math.min(Math.floor(top / ROW_HEIGHT) - OVERSCAN / 2, total - rows));
      layerTop = first * ROW_HEIGHT;
    } else {
      const range = Math.max(1, spacerPx - vp.clientHeight);
      const f0 = Math.round((Math.min(top, range) / range) * Math.max(0, total - visible + 1));
      // Overscan above only, so the layer never reaches past the spacer (that would grow the scroll range).
      first = Math.max(0, Math.min(f0 - (rows - visible), total - rows));
      layerTop = top - (f0 - first) * ROW_HEIGHT;
    }
    const draw = Math.max(0, Math.min(rows, Math.floor((spacerPx - layerTop) / ROW_HEIGHT)));
    this.layer.style.transform = `translateY(${layerTop}px)`;
    for (let k = 0; k < rows; k++) {
      const row = this.pool[k]!;
      if (k >= draw) {
        row.style.display = 'none';
        continue;
      }
      row.style.display = '';
      this.fill(row, view.line(first + k));
    }
  }

  private fill(row: HTMLDivElement, line: number): void {
    const s = this.store;
    const level = s.levelOf(line);
    const source = s.sourceOf(line);
    const cls = `log-row${level === LEVEL.error ? ' error' : level === LEVEL.warn ? ' warn' : ''}${source === SOURCE.runtime ? '' : ' build'}`;
    if (row.className !== cls) row.className = cls;
    const [res, text] = row.children as unknown as [HTMLSpanElement, HTMLSpanElement];
    const name = this.showResource ? s.resourceOf(line) : '';
    if (res.textContent !== name) res.textContent = name;
    const t = s.textOf(line);
    if (shown.get(text) !== t) {
      shown.set(text, t);
      renderLogText(text, t);
    }
  }
}

/** The raw line each pooled text span shows (its textContent is the line without escapes). */
const shown = new WeakMap<HTMLElement, string>();

/**
 * A log line into `el`: plain text as is; ANSI colours as child spans with colour classes. Only textContent is
 * ever set (never HTML), so a log line cannot inject markup.
 */
export function renderLogText(el: HTMLElement, line: string): void {
  if (!line.includes('\x1b') && !/[\x00-\x08\x0b-\x1f\x7f-\x9f]/.test(line)) {
    el.textContent = line;
    return;
  }
  el.replaceChildren(...ansiSegments(line).map((seg) => {
    const cls = ansiClass(seg);
    if (!cls) return document.createTextNode(seg.text);
    const span = document.createElement('span');
    span.className = cls;
    span.textContent = seg.text;
    return span;
  }));
}

function makeRow(): HTMLDivElement {
  const row = document.createElement('div');
  row.className = 'log-row';
  const res = document.createElement('span');
  res.className = 'log-res';
  const text = document.createElement('span');
  text.className = 'log-text';
  row.append(res, text);
  return row;
}
