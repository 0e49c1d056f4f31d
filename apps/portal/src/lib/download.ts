// Browser downloads: a text file, an SVG element as .svg, and the same SVG rasterised to .png on a canvas.

/** Saves `blob` under `fileName` through a temporary link. */
export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/**
 * Fills the copy's canvas snapshot placeholders (`<image data-canvas-snapshot="<canvas id>">`, as the
 * embedding map drawn on a canvas has) with a PNG of that canvas as it is now.
 */
function fillCanvasSnapshots(copy: SVGSVGElement): void {
  for (const image of copy.querySelectorAll<SVGImageElement>('image[data-canvas-snapshot]')) {
    const canvas = document.getElementById(image.dataset.canvasSnapshot ?? '');
    if (canvas instanceof HTMLCanvasElement) image.setAttribute('href', canvas.toDataURL('image/png'));
    image.removeAttribute('data-canvas-snapshot');
  }
}

/** The SVG's markup as a standalone file (namespace, size, a white background, canvases as pictures). */
export function svgMarkup(svg: SVGSVGElement): string {
  const copy = svg.cloneNode(true) as SVGSVGElement;
  fillCanvasSnapshots(copy);
  copy.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  const { width, height } = svgSize(svg);
  copy.setAttribute('width', String(width));
  copy.setAttribute('height', String(height));
  const background = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
  background.setAttribute('width', '100%');
  background.setAttribute('height', '100%');
  background.setAttribute('fill', '#ffffff');
  copy.insertBefore(background, copy.firstChild);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(copy)}`;
}

function svgSize(svg: SVGSVGElement): { width: number; height: number } {
  const box = svg.viewBox.baseVal;
  if (box && box.width > 0) return { width: box.width, height: box.height };
  const rect = svg.getBoundingClientRect();
  return { width: Math.round(rect.width), height: Math.round(rect.height) };
}

export function downloadSvg(svg: SVGSVGElement, fileName: string): void {
  saveBlob(new Blob([svgMarkup(svg)], { type: 'image/svg+xml' }), fileName);
}

/** Draws the SVG on a canvas at `scale` × its size and returns the PNG. */
export async function svgToPng(svg: SVGSVGElement, scale = 2): Promise<Blob> {
  const { width, height } = svgSize(svg);
  const url = URL.createObjectURL(new Blob([svgMarkup(svg)], { type: 'image/svg+xml' }));
  try {
    const image = new Image();
    image.decoding = 'sync';
    await new Promise<void>((resolve, reject) => {
      image.onload = () => resolve();
      image.onerror = () => reject(new Error('the plot could not be drawn as an image'));
      image.src = url;
    });
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    const context = canvas.getContext('2d');
    if (!context) throw new Error('this browser cannot draw on a canvas');
    context.scale(scale, scale);
    context.drawImage(image, 0, 0, width, height);
    return await new Promise<Blob>((resolve, reject) =>
      canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('PNG encoding failed'))), 'image/png'),
    );
  } finally {
    URL.revokeObjectURL(url);
  }
}

export async function downloadPng(svg: SVGSVGElement, fileName: string): Promise<void> {
  saveBlob(await svgToPng(svg), fileName);
}
