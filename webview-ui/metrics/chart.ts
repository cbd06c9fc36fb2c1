/**
 * The loss-curve chart: uPlot over the data in a `ChartStore`, drawn from per-pixel-column min/max points.
 *
 * - Full view (not zoomed) follows the data: each series keeps an incremental `ColumnGrid`, so an append folds only the
 *   new points in; the draw is throttled to one per animation frame.
 * - Zoom (drag a range; double-click to zoom out) re-resolves the selected x range from the full typed arrays.
 * - Smoothing draws the raw line faint underneath the smoothed one; eval series are drawn with markers, unsmoothed.
 * - Alerts are vertical markers with a tooltip (textContent only: alert messages come from logs).
 */
import uPlot from 'uplot';
import type { AlertMarker, ChartViewState, XAxisMode } from '../../src/shared/protocol/metrics';
import { ColumnGrid, lowerBound, resolveColumns, xAt, type Resolved, type XValues } from './columns';
import { DURATION_INCRS, distinctTickLabels, durationTickLabels, formatDuration, wallTickLabels } from './ticks';
import { GAP_FACTOR, typicalDelta, withGaps } from './gaps';
import { Smoother, foldSmoothed, smoothingParams } from './smoothing';
import { Column, type ChartStore, type SeriesStore } from './store';
import { lossFactorAt } from '../../src/shared/runSettings';

/** What the chart drew last, exposed on the root element as `data-chart` (JSON) for tests and the status line. */
export interface DrawSummary {
  /** Source points inside the visible x range, over visible raw series. */
  total: number;
  /** Points handed to uPlot for those series. */
  drawn: number;
  xMin: number; xMax: number; zoomed: boolean;
  /**
   * Per visible raw series. `smoothMin`/`smoothMax`: the range of its smoothed line drawn inside the visible x range
   * (null when none is drawn; absent with smoothing off).
   */
  series: { run: string; name: string; inRange: number; drawn: number; gaps: number; drawnMin: number | null; drawnMax: number | null; smoothMin?: number | null; smoothMax?: number | null }[];
  alerts: number;
  draws: number;
  /** The x axis' tick labels as uPlot drew them (on canvas, so not readable from the DOM). */
  xTicks: string[];
}

interface Derived {
  mode: XAxisMode;
  x: Column;
  prevX: number;
  grid?: ColumnGrid;
  smoother?: Smoother;
  smoothGrid?: ColumnGrid;
  smoothKey: string;
  /** The series' generation this was derived from (a restart truncates the series: derive again). */
  gen: number;
  /**
   * Index of the first point drawn: 0 on the step and tokens axes; on a time axis the first point with a time (the
   * points before it were in the log before anyone followed it and have none; issue 11), or -1 while none has.
   */
  drawFrom: number;
  /** Values divided by the run's loss scale (rescaled view), valid for [0, scaledN). */
  scaled?: Float64Array;
  scaledN: number;
  /** The factors `scaled` was made with (the run's, or its launches' as JSON). */
  scaledBy?: string;
}

interface Line { s: SeriesStore; kind: 'raw' | 'smooth'; scale: 'y' | 'y2'; color: string; faint: boolean }

const PALETTE = ['blue', 'orange', 'green', 'purple', 'yellow', 'red'];

function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}

function withAlpha(color: string, alpha: number): string {
  const m = /^#([0-9a-f]{6})([0-9a-f]{2})?$/i.exec(color);
  if (m) return `#${m[1]}${Math.round(alpha * 255).toString(16).padStart(2, '0')}`;
  const rgb = /^rgba?\(([^)]+)\)$/.exec(color);
  if (rgb) { const p = rgb[1].split(',').slice(0, 3).join(','); return `rgba(${p},${alpha})`; }
  return color;
}

/** Loss-like series share the left axis (and the log toggle); everything else (lr, grad_norm, ...) the right one. */
export function scaleOf(name: string): 'y' | 'y2' { return /loss|ppl|perplexity|nll|bpb|bits.per/i.test(name) ? 'y' : 'y2'; }

/** 1.2B, 350M, 12k tokens. */
export function formatTokens(t: number): string {
  const a = Math.abs(t);
  return a >= 1e12 ? `${+(t / 1e12).toPrecision(3)}T` : a >= 1e9 ? `${+(t / 1e9).toPrecision(3)}B` : a >= 1e6 ? `${+(t / 1e6).toPrecision(3)}M` : a >= 1e3 ? `${+(t / 1e3).toPrecision(3)}k` : String(t);
}


export class LossChart {
  private u: uPlot | undefined;
  private lines: Line[] = [];
  private derived = new Map<string, Derived>();
  private colors = new Map<string, string>();
  private zoom: [number, number] | undefined;
  private frame = 0;
  private draws = 0;
  private fullRange: [number, number] = [0, 1];
  private readonly tooltip: HTMLDivElement;
  private readonly readout: HTMLElement;
  summary: DrawSummary = { total: 0, drawn: 0, xMin: 0, xMax: 0, zoomed: false, series: [], alerts: 0, draws: 0, xTicks: [] };
  onDrawn: (s: DrawSummary) => void = () => {};

  constructor(private readonly root: HTMLElement, private readonly store: ChartStore, private readonly view: () => ChartViewState, readout: HTMLElement) {
    this.readout = readout;
    this.tooltip = document.createElement('div');
    this.tooltip.className = 'alert-tooltip';
    this.tooltip.hidden = true;
    document.body.appendChild(this.tooltip);
    new ResizeObserver(() => this.resize()).observe(root);
  }

  /** The series' line colour (assigned when first shown, then kept). */
  colorOf(s: SeriesStore): string {
    const base = s.segmentOf;
    if (base !== undefined) { const live = this.store.runs.get(s.runId)?.series.get(base); if (live) return this.colorOf(live); }
    let c = this.colors.get(s.key);
    if (!c) {
      const name = PALETTE[this.colors.size % PALETTE.length];
      c = cssVar(`--vscode-charts-${name}`, ['#3794ff', '#d18616', '#89d185', '#b180d7', '#cca700', '#f14c4c'][this.colors.size % PALETTE.length]);
      this.colors.set(s.key, c);
    }
    return c;
  }

  /** Rebuilds the uPlot instance for the current visible series and options (series set, smoothing, axis, scale). */
  rebuild(): void {
    const v = this.view();
    const smoothing = v.smoothing !== 'none';
    this.lines = [];
    for (const s of this.store.allSeries()) {
      if (v.hidden.includes(s.key)) continue;
      const color = this.colorOf(s); // first shown series gets the first chart colour; a series keeps its colour
      if ((v.xAxis === 'wall' || v.xAxis === 'relative') && s.timed === 0) continue; // no wall times: cannot place it on a time axis
      if (v.xAxis === 'tokens' && !this.store.runs.get(s.runId)?.info?.tokens) continue; // no tokens known for this run
      const scale = scaleOf(s.name);
      // An earlier run segment (resumed/restarted launch): faded, like W&B's resumed history, never smoothed.
      if (s.segmentOf !== undefined) { this.lines.push({ s, kind: 'raw', scale, color, faint: true }); continue; }
      if (smoothing && !s.isEval) {
        this.lines.push({ s, kind: 'raw', scale, color, faint: true });
        this.lines.push({ s, kind: 'smooth', scale, color, faint: false });
      } else this.lines.push({ s, kind: 'raw', scale, color, faint: false });
    }
    const fg = cssVar('--vscode-editor-foreground', '#cccccc');
    const grid = cssVar('--vscode-charts-lines', 'rgba(128,128,128,0.25)');
    const font = `11px ${cssVar('--vscode-font-family', 'sans-serif')}`;
    const hasY2 = this.lines.some((l) => l.scale === 'y2');
    const hasY = this.lines.some((l) => l.scale === 'y') || !hasY2;
    const axis = (scale: string, side: 0 | 1 | 2 | 3, show = true): uPlot.Axis => ({ scale, side, show, stroke: fg, font, labelFont: font, grid: { stroke: grid, width: 1, show: side !== 1 || !hasY }, ticks: { stroke: grid, width: 1 } });
    const yAxis = (scale: string, side: 1 | 3, show: boolean): uPlot.Axis => ({ ...axis(scale, side, show), values: (_u, splits) => distinctTickLabels(splits) });
    const xAxis = axis('x', 2);
    if (v.xAxis === 'relative') { xAxis.incrs = [...DURATION_INCRS]; xAxis.values = (_u, splits, _i, _space, incr) => durationTickLabels(splits, incr); }
    if (v.xAxis === 'wall') xAxis.values = (_u, splits, _i, _space, incr) => wallTickLabels(splits, incr);
    if (v.xAxis === 'tokens') xAxis.values = (_u, splits) => splits.map(formatTokens);
    const opts: uPlot.Options = {
      width: Math.max(100, this.root.clientWidth),
      height: Math.max(100, this.root.clientHeight),
      legend: { show: false },
      pxAlign: 0,
      cursor: { drag: { x: true, y: false, setScale: false }, points: { show: false }, focus: { prox: 16 } },
      scales: {
        x: { time: v.xAxis === 'wall', auto: false },
        y: { distr: v.logScale ? 3 : 1, log: 10 },
        y2: {},
      },
      axes: [xAxis, yAxis('y', 3, hasY), yAxis('y2', 1, hasY2)],
      series: [
        { label: v.xAxis === 'step' ? 'step' : v.xAxis === 'tokens' ? 'tokens' : 'time' },
        ...this.lines.map((l): uPlot.Series => ({
          label: l.kind === 'smooth' ? `${l.s.name} (smoothed)` : l.s.name,
          scale: l.scale,
          stroke: l.faint ? withAlpha(l.color, 0.4) : l.color,
          width: l.faint ? 1 : 1.5,
          spanGaps: false,
          points: l.s.isEval ? { show: true, size: 5, fill: l.color, stroke: l.color } : { show: false },
        })),
      ],
      hooks: {
        setSelect: [(u) => {
          if (u.select.width > 3) this.zoomTo(u.posToVal(u.select.left, 'x'), u.posToVal(u.select.left + u.select.width, 'x'));
          u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
        }],
        draw: [(u) => this.drawAlerts(u)],
        setCursor: [(u) => this.onCursor(u)],
      },
    };
    this.u?.destroy();
    this.root.replaceChildren();
    this.u = new uPlot(opts, [[]], this.root);
    this.u.over.addEventListener('dblclick', () => this.zoomOut());
    this.u.over.addEventListener('mouseleave', () => { this.tooltip.hidden = true; });
    this.drawNow();
  }

  /** Re-derives smoothing/grids (after an option change that keeps the series set), then draws. */
  invalidate(draw = true): void { this.derived.clear(); if (draw) this.scheduleDraw(); }

  /** Draws at the next animation frame (many appends in one frame cost one draw). */
  scheduleDraw(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => { this.frame = 0; this.drawNow(); });
  }

  zoomTo(x0: number, x1: number): void {
    if (!(x1 > x0)) return;
    this.zoom = [x0, x1];
    this.drawNow();
  }

  zoomOut(): void { this.zoom = undefined; this.drawNow(); }

  get zoomed(): boolean { return this.zoom !== undefined; }

  private derive(s: SeriesStore, mode: XAxisMode, smoothKey: string): Derived {
    let d = this.derived.get(s.key);
    if (!d || d.mode !== mode || d.x.length > s.length || d.gen !== s.generation) {
      // On the step axis x is the store's own steps column (no copy); time axes derive a column.
      d = { mode, x: mode === 'step' ? s.steps : new Column(Math.max(1024, s.length)), prevX: -Infinity, smoothKey: '', gen: s.generation, scaledN: 0, drawFrom: mode === 'step' || mode === 'tokens' ? 0 : -1 };
      this.derived.set(s.key, d);
    }
    // Extend x for new points: steps as they are; times as a running maximum (x must ascend), in seconds.
    const n = s.length, from = d.x.length;
    if (from < n && mode === 'tokens') {
      // Tokens are re-derived whole (a tokens series' later points refine the interpolation of earlier steps).
      const t = this.store.tokensOf(s);
      d.x = new Column(Math.max(1024, n));
      if (t) { let prev = -Infinity; for (let i = 0; i < n; i++) { if (t[i] > prev) prev = t[i]; t[i] = Number.isFinite(prev) ? prev : 0; } d.x.append(t); }
      d.grid = undefined; d.smoothGrid = undefined; d.smoother = undefined;
    } else if (from < n && mode !== 'step') {
      {
        const t = s.times.data, base = mode === 'relative' ? (this.store.runs.get(s.runId)?.startMs ?? 0) : 0;
        const add = new Float64Array(n - from);
        let prev = d.prevX;
        for (let i = from; i < n; i++) {
          const sec = (t[i] - base) / 1000;
          if (d.drawFrom < 0 && Number.isFinite(sec)) { d.drawFrom = i; d.grid = undefined; d.smoothGrid = undefined; d.smoother = undefined; }
          if (Number.isFinite(sec) && sec > prev) prev = sec;
          add[i - from] = Number.isFinite(prev) ? prev : 0;
        }
        d.prevX = prev;
        d.x.append(add);
      }
    }
    if (d.smoothKey !== smoothKey) { d.smoother = undefined; d.smoothGrid = undefined; d.smoothKey = smoothKey; }
    return d;
  }

  /** The values to draw: loss series divided by their run's loss scale when the rescaled view is on. */
  private valuesOf(s: SeriesStore, d: Derived): Float64Array {
    const info = this.view().rescale ? this.store.runs.get(s.runId)?.info : undefined;
    if (!info || !(info.lossScale || info.launches?.some((l) => l.lossScale)) || !/loss/i.test(s.name)) return s.values.data;
    // per launch where the launches differ (a resume under another transformers version): only their points
    const by = JSON.stringify([info.lossScale?.factor, info.launches?.map((l) => [l.series, l.firstStep, l.lossScale?.factor])]);
    const n = s.length;
    if (!d.scaled || d.scaled.length < n || d.scaledN > n || d.scaledBy !== by) { d.scaled = new Float64Array(Math.max(1024, s.values.data.length)); d.scaledN = 0; d.scaledBy = by; }
    for (let i = d.scaledN; i < n; i++) d.scaled[i] = s.values.data[i] / lossFactorAt(info, s.name, s.steps.at(i));
    d.scaledN = n;
    return d.scaled;
  }

  private resolveLine(l: Line, d: Derived, columns: number): Resolved {
    // Only [drawFrom, n) is drawn (an untimed prefix has no place on a time axis); subarrays from a fixed start keep
    // the incremental grids' "earlier points unchanged" contract, and derive() resets them when drawFrom is set.
    // On the step axis x is usually the sequence the steps travelled as (Column.arithmetic): the grids and the EMAs
    // read it without the store writing out 8 MB of steps per 1M points (issue 12). Zooming needs the values.
    const k = d.drawFrom < 0 ? Math.min(l.s.length, d.x.length) : d.drawFrom;
    const n = Math.min(l.s.length, d.x.length) - k, seq = k === 0 && !this.zoom ? d.x.arithmetic : undefined;
    const xs: XValues = seq ?? d.x.data.subarray(k);
    let ys: Float64Array = this.valuesOf(l.s, d).subarray(k);
    if (l.kind === 'smooth') {
      const v = this.view();
      if (!d.smoother) {
        const span = n > 1 ? xAt(xs, n - 1) - xAt(xs, 0) : 1;
        d.smoother = new Smoother(smoothingParams(v.smoothing, v.smoothingAmount, span));
      }
      // Restarts after the gaps in x the chart draws (the data part of drawNow's threshold; the pixel part depends
      // on the zoom, and zooming must not change the smoothed values).
      const gap = GAP_FACTOR * typicalDelta(xs, n);
      if (!this.zoom) {
        // Full view: smoothed in windows straight into the grid (foldSmoothed), not held whole.
        let g = d.smoothGrid;
        if (!g || g.columns !== columns) g = new ColumnGrid(columns);
        const f = foldSmoothed(d.smoother, g, xs, ys, n, gap);
        d.smoothGrid = f.grid;
        return f.grid.resolve(xs, f.values, n);
      }
      d.smoother.update(xs, ys, n, gap);
      ys = d.smoother.values;
    }
    if (this.zoom) return resolveColumns(xs as Float64Array, ys, n, this.zoom[0], this.zoom[1], columns);
    let g = d.grid;
    if (!g || g.columns !== columns) { g = new ColumnGrid(columns); d.grid = g; }
    g.update(xs, ys, n);
    return g.resolve(xs, ys, n);
  }

  /** Resolves every line for the current range and hands the result to uPlot. */
  drawNow(): void {
    const u = this.u;
    if (!u) return;
    const v = this.view();
    const columns = Math.max(1, Math.round(u.bbox.width || this.root.clientWidth * devicePixelRatio));
    const smoothKey = `${v.smoothing}:${v.smoothingAmount}:${v.rescale ? 1 : 0}`;
    const tables: uPlot.AlignedData[] = [];
    const summary: DrawSummary = { total: 0, drawn: 0, xMin: Infinity, xMax: -Infinity, zoomed: !!this.zoom, series: [], alerts: 0, draws: ++this.draws, xTicks: [] };
    for (const l of this.lines) {
      const d = this.derive(l.s, v.xAxis, smoothKey);
      const n = Math.min(l.s.length, d.x.length), k = d.drawFrom < 0 ? n : d.drawFrom;
      if (n > k) { summary.xMin = Math.min(summary.xMin, d.x.at(k)); summary.xMax = Math.max(summary.xMax, d.x.at(n - 1)); }
      const r = this.resolveLine(l, d, columns);
      // A non-finite value (NaN loss; <= 0 on a log scale) is a `null`: a gap at its step (its alert marks it); a
      // stretch of missing steps gets a `null` point too (gaps.ts).
      const ys: (number | null)[] = new Array(r.length);
      let mn = Infinity, mx = -Infinity;
      const x0 = this.zoom?.[0] ?? -Infinity, x1 = this.zoom?.[1] ?? Infinity;
      for (let i = 0; i < r.length; i++) {
        const y = r.ys[i];
        const ok = Number.isFinite(y) && !(v.logScale && l.scale === 'y' && y <= 0);
        ys[i] = ok ? y : null;
        if (ok && r.xs[i] >= x0 && r.xs[i] <= x1) { if (y < mn) mn = y; if (y > mx) mx = y; }
      }
      const span = (this.zoom ? this.zoom[1] - this.zoom[0] : n - k > 1 ? d.x.at(n - 1) - d.x.at(k) : 0) || 1;
      const g = withGaps(r.xs, ys, r.length, Math.max(GAP_FACTOR * typicalDelta(k === 0 ? d.x.arithmetic ?? d.x.data : d.x.data.subarray(k), n - k), (2 * span) / columns));
      tables.push([g.xs, g.ys] as unknown as uPlot.AlignedData);
      if (l.kind === 'raw') {
        summary.total += r.inRange; summary.drawn += r.drawn;
        summary.series.push({ run: l.s.runId, name: l.s.name, inRange: r.inRange, drawn: r.drawn, gaps: g.gaps, drawnMin: Number.isFinite(mn) ? mn : null, drawnMax: Number.isFinite(mx) ? mx : null });
      } else {
        const raw = summary.series[summary.series.length - 1]; // a smooth line follows its series' raw line
        if (raw && raw.run === l.s.runId && raw.name === l.s.name) { raw.smoothMin = Number.isFinite(mn) ? mn : null; raw.smoothMax = Number.isFinite(mx) ? mx : null; }
      }
    }
    if (!Number.isFinite(summary.xMin)) { summary.xMin = 0; summary.xMax = 1; }
    if (summary.xMax <= summary.xMin) summary.xMax = summary.xMin + 1;
    this.fullRange = [summary.xMin, summary.xMax];
    const [x0, x1] = this.zoom ?? this.fullRange;
    summary.xMin = x0; summary.xMax = x1;
    const data: uPlot.AlignedData = tables.length === 0 ? [[]] : tables.length === 1 ? tables[0] : uPlot.join(tables);
    u.batch(() => {
      u.setData(data, false);
      u.setScale('x', { min: x0, max: x1 });
    });
    summary.alerts = this.alerts().length;
    // uPlot keeps the labels it computed for an axis in `_values` (not in its typings).
    summary.xTicks = ((u.axes[0] as { _values?: unknown[] | null })._values ?? []).map((t) => (t == null ? '' : String(t)));
    this.summary = summary;
    this.root.dataset.chart = JSON.stringify(summary);
    this.onDrawn(summary);
  }

  private resize(): void {
    if (!this.u) return;
    const width = Math.max(100, this.root.clientWidth), height = Math.max(100, this.root.clientHeight);
    if (width === this.u.width && height === this.u.height) return; // the observer also fires on (re)build
    this.u.setSize({ width, height });
    this.drawNow();
  }

  /** Alerts with their x position on the current axis (alerts of hidden series still show: they concern the run). */
  private alerts(): { alert: AlertMarker; x: number; run: string }[] {
    const out: { alert: AlertMarker; x: number; run: string }[] = [];
    const mode = this.view().xAxis;
    for (const run of this.store.runs.values()) {
      for (const alert of run.alerts) {
        if (mode === 'step') { out.push({ alert, x: alert.step, run: run.title }); continue; }
        const s = run.series.get(alert.series) ?? [...run.series.values()][0];
        const d = s && this.derived.get(s.key);
        if (!s || !d || d.x.length === 0) continue;
        const i = Math.min(d.x.length - 1, lowerBound(s.steps.data, s.length, alert.step));
        if (d.drawFrom < 0 || i < d.drawFrom) continue; // its point has no time: not on a time axis
        out.push({ alert, x: d.x.data[i], run: run.title });
      }
    }
    return out;
  }

  private drawAlerts(u: uPlot): void {
    const list = this.alerts();
    if (list.length === 0) return;
    const ctx = u.ctx, { top, height, left, width } = u.bbox;
    ctx.save();
    ctx.strokeStyle = cssVar('--vscode-charts-red', '#f14c4c');
    ctx.fillStyle = ctx.strokeStyle;
    ctx.lineWidth = Math.max(1, devicePixelRatio);
    ctx.setLineDash([4 * devicePixelRatio, 3 * devicePixelRatio]);
    for (const { x } of list) {
      const px = u.valToPos(x, 'x', true);
      if (px < left || px > left + width) continue;
      ctx.beginPath(); ctx.moveTo(px, top); ctx.lineTo(px, top + height); ctx.stroke();
      const r = 4 * devicePixelRatio;
      ctx.beginPath(); ctx.moveTo(px - r, top); ctx.lineTo(px + r, top); ctx.lineTo(px, top + 1.6 * r); ctx.closePath(); ctx.fill();
    }
    ctx.restore();
  }

  private onCursor(u: uPlot): void {
    const left = u.cursor.left ?? -1;
    if (left < 0) { this.tooltip.hidden = true; this.readout.textContent = ''; return; }
    // Readout: x and the value of each line at the cursor (textContent: series names come from logs).
    const idx = u.cursor.idx;
    const mode = this.view().xAxis;
    if (idx != null) {
      const x = u.data[0][idx];
      const xText = mode === 'step' ? `step ${x}` : mode === 'tokens' ? `${formatTokens(x)} tokens` : mode === 'wall' ? new Date(x * 1000).toLocaleString() : formatDuration(x);
      const parts = [xText];
      this.lines.forEach((l, k) => {
        const y = u.data[k + 1]?.[idx];
        if (y != null && !l.faint) parts.push(`${this.store.runs.size > 1 ? `${l.s.runTitle} ` : ''}${l.s.name} ${Number(y).toPrecision(5)}`);
      });
      // Nothing at the cursor (the midpoint of a gap): no readout rather than a step nobody logged.
      this.readout.textContent = parts.length > 1 ? parts.join('  ·  ') : '';
    }
    // Alert tooltip within 6 CSS px of the cursor.
    const hit = this.alerts().find(({ x }) => Math.abs(u.valToPos(x, 'x') - left) <= 6);
    if (!hit) { this.tooltip.hidden = true; return; }
    this.tooltip.textContent = `${this.store.runs.size > 1 ? `${hit.run}: ` : ''}${hit.alert.kind} at step ${hit.alert.step} (${hit.alert.series}): ${hit.alert.message}`;
    const rect = u.over.getBoundingClientRect();
    this.tooltip.style.left = `${Math.min(rect.left + left + 10, window.innerWidth - 320)}px`;
    this.tooltip.style.top = `${rect.top + 8}px`;
    this.tooltip.hidden = false;
  }

  /** The chart as a PNG data URL: plot canvas on the editor background, with a title and a legend line. */
  toPng(title: string): string {
    const u = this.u;
    if (!u) throw new Error('nothing drawn yet');
    const src = u.ctx.canvas;
    const dpr = devicePixelRatio;
    const head = Math.round(36 * dpr);
    const out = document.createElement('canvas');
    out.width = src.width; out.height = src.height + head;
    const ctx = out.getContext('2d')!;
    ctx.fillStyle = cssVar('--vscode-editor-background', '#1e1e1e');
    ctx.fillRect(0, 0, out.width, out.height);
    ctx.drawImage(src, 0, head);
    ctx.font = `${Math.round(12 * dpr)}px ${cssVar('--vscode-font-family', 'sans-serif')}`;
    ctx.fillStyle = cssVar('--vscode-editor-foreground', '#cccccc');
    ctx.fillText(title, 8 * dpr, 14 * dpr);
    let x = 8 * dpr;
    for (const l of this.lines) {
      if (l.faint) continue;
      const label = `${this.store.runs.size > 1 ? `${l.s.runTitle}: ` : ''}${l.s.name}${l.kind === 'smooth' ? ' (smoothed)' : ''}`;
      ctx.fillStyle = l.color; ctx.fillRect(x, 22 * dpr, 10 * dpr, 3 * dpr);
      ctx.fillStyle = cssVar('--vscode-editor-foreground', '#cccccc');
      ctx.fillText(label, x + 14 * dpr, 28 * dpr);
      x += ctx.measureText(label).width + 28 * dpr;
    }
    return out.toDataURL('image/png');
  }
}
