// Categorical colours for plots (Okabe-Ito, distinguishable with colour-vision deficiency), cycled.
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

export function categoryColour(index: number): string {
  return OKABE_ITO[index % OKABE_ITO.length]!;
}
