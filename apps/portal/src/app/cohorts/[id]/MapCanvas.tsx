'use client';
// The embedding map's points on a <canvas> for cohorts too large for one SVG element per sample (TCGA-sized:
// 11,000 points). It sits over the SVG's plot area (axes and legend stay SVG); hovering shows the nearest
// point's text, clicking opens its sample. Each drawing is also handed to the SVG as an image, so the
// figure's SVG and PNG downloads hold the points.
import { useEffect, useMemo, useRef, useState } from 'react';

export interface CanvasPoint {
  /** Position in the plot area, in SVG units (0..width, 0..height). */
  x: number;
  y: number;
  fill: string;
  href: string;
  title: string;
}

const RADIUS = 3;
const HIT = 6; // SVG units from a point that still count as on it
const CELL = 8;

/** Points by grid cell, for hover lookups in constant time per move. */
function gridOf(points: readonly CanvasPoint[]): Map<string, number[]> {
  const grid = new Map<string, number[]>();
  points.forEach((p, i) => {
    const key = `${Math.floor(p.x / CELL)},${Math.floor(p.y / CELL)}`;
    const cell = grid.get(key);
    if (cell) cell.push(i);
    else grid.set(key, [i]);
  });
  return grid;
}

/** The point nearest (x, y) within HIT, the last drawn (topmost) among equals; null when none. */
function nearest(points: readonly CanvasPoint[], grid: Map<string, number[]>, x: number, y: number) {
  let best: number | null = null;
  let bestD = HIT * HIT;
  const cx = Math.floor(x / CELL);
  const cy = Math.floor(y / CELL);
  for (let i = cx - 1; i <= cx + 1; i++)
    for (let j = cy - 1; j <= cy + 1; j++)
      for (const k of grid.get(`${i},${j}`) ?? []) {
        const d = (points[k]!.x - x) ** 2 + (points[k]!.y - y) ** 2;
        if (d < bestD || (d === bestD && best !== null && k > best)) {
          best = k;
          bestD = d;
        }
      }
  return best;
}

export function MapCanvas(props: {
  points: readonly CanvasPoint[];
  /** The plot area in SVG units, and where it sits in the SVG (as shares of the SVG's size). */
  width: number;
  height: number;
  box: { left: number; top: number; width: number; height: number };
  /** The canvas element's id (the SVG's snapshot placeholder names it; see lib/download.ts). */
  canvasId: string;
  label: string;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [hover, setHover] = useState<number | null>(null);
  const grid = useMemo(() => gridOf(props.points), [props.points]);
  const { points, width, height } = props;

  useEffect(() => {
    const element = canvas.current;
    const context = element?.getContext('2d');
    if (!element || !context) return;
    const scale = 2; // sharp on high-density screens and in the PNG download
    element.width = width * scale;
    element.height = height * scale;
    context.setTransform(scale, 0, 0, scale, 0, 0);
    context.clearRect(0, 0, width, height);
    context.globalAlpha = 0.8;
    context.lineWidth = 0.5;
    context.strokeStyle = '#fff';
    for (const p of points) {
      context.beginPath();
      context.arc(p.x, p.y, RADIUS, 0, 2 * Math.PI);
      context.fillStyle = p.fill;
      context.fill();
      context.stroke();
    }
    element.dataset.drawn = String(points.length); // (for tests and benchmarks: the points are on it)
  }, [points, width, height]);

  /** The pointer's position in SVG units of the plot area. */
  const at = (event: React.MouseEvent<HTMLCanvasElement>) => {
    const rect = event.currentTarget.getBoundingClientRect();
    return {
      x: ((event.clientX - rect.left) * width) / rect.width,
      y: ((event.clientY - rect.top) * height) / rect.height,
    };
  };
  const shown = hover === null ? null : points[hover];
  return (
    <div
      className="map-canvas"
      style={{
        position: 'absolute',
        left: `${props.box.left * 100}%`,
        top: `${props.box.top * 100}%`,
        width: `${props.box.width * 100}%`,
        height: `${props.box.height * 100}%`,
      }}
    >
      <canvas
        ref={canvas}
        id={props.canvasId}
        role="img"
        aria-label={props.label}
        data-testid="embedding-map-canvas"
        data-points={points.length}
        style={{ width: '100%', height: '100%', cursor: shown ? 'pointer' : 'default' }}
        onMouseMove={(event) => {
          const { x, y } = at(event);
          setHover(nearest(points, grid, x, y));
        }}
        onMouseLeave={() => setHover(null)}
        onClick={(event) => {
          const { x, y } = at(event);
          const hit = nearest(points, grid, x, y);
          if (hit !== null) window.location.assign(points[hit]!.href);
        }}
      />
      {shown ? (
        <div
          role="tooltip"
          className="map-tooltip"
          data-testid="embedding-map-tooltip"
          style={{ left: `${(shown.x / width) * 100}%`, top: `${(shown.y / height) * 100}%` }}
        >
          {shown.title}
        </div>
      ) : null}
    </div>
  );
}
