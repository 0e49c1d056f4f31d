// Categorical colours for plots: Okabe-Ito (distinguishable with colour-vision deficiency) for the first
// eight, then more distinct colours for plots of many categories.
export const OKABE_ITO = [
  '#0072B2',
  '#E69F00',
  '#009E73',
  '#CC79A7',
  '#56B4E9',
  '#D55E00',
  '#F0E442',
  '#000000',
];

/**
 * After Okabe-Ito's eight, for plots of more categories (33 TCGA types): Kelly's colours of maximum contrast
 * (without white, black and grey, which the eight and "unknown" use) and six of CARTO's Bold, so that no two of
 * 33 categories share a colour. Beyond the eight, distinguishing them relies on the legend.
 */
const MORE = [
  '#875692',
  '#F38400',
  '#A1CAF1',
  '#BE0032',
  '#C2B280',
  '#008856',
  '#E68FAC',
  '#0067A5',
  '#F99379',
  '#604E97',
  '#F6A600',
  '#B3446C',
  '#DCD300',
  '#882D17',
  '#8DB600',
  '#654522',
  '#E25822',
  '#2B3D26',
  '#F3C300',
  '#7F3C8D',
  '#11A579',
  '#3969AC',
  '#E73F74',
  '#80BA5A',
  '#008695',
];

/** The colour of category `index`: Okabe-Ito's eight first, then the rest; cycled beyond them. */
export function categoryColour(index: number): string {
  const all = index < OKABE_ITO.length ? OKABE_ITO : [...OKABE_ITO, ...MORE];
  return all[index % all.length]!;
}
