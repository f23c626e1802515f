import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { plotSelection, selectModel, type SelectionRow } from '../../src/index';
import { blobs } from '../helpers/data';

describe('plotSelection', () => {
  it('is well-formed SVG with one polyline per covariance type, axes and a legend', async () => {
    const { X } = blobs(5, 200, 2, 3);
    const { table } = await selectModel(X, {
      nComponents: [1, 2, 3, 4],
      covarianceTypes: ['full', 'diag', 'spherical'],
      randomState: 0,
    });
    const svg = plotSelection(table);
    expect(XMLValidator.validate(svg)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(svg);
    const root = doc.svg;
    expect(root.xmlns).toBe('http://www.w3.org/2000/svg');
    const series = ([] as { 'data-covariance-type': string; polyline: { points: string } }[]).concat(
      root.g.filter((g: { class: string }) => g.class === 'series'),
    );
    expect(series.map((s) => s['data-covariance-type'])).toEqual(['full', 'diag', 'spherical']);
    for (const s of series) expect(s.polyline.points.trim().split(/\s+/)).toHaveLength(4);
    const legend = root.g.find((g: { class: string }) => g.class === 'legend');
    expect(legend.text.map((t: { '#text': string }) => t['#text'])).toEqual(['full', 'diag', 'spherical']);
    expect(svg).toContain('BIC');
    expect(root.g.some((g: { class: string }) => g.class === 'axes')).toBe(true);
  });

  it('leaves failed fits out and escapes text', () => {
    const table: SelectionRow[] = [
      { nComponents: 1, covarianceType: 'full', criterion: 'cv', score: 3, nParameters: 5 },
      {
        nComponents: 2,
        covarianceType: 'full',
        criterion: 'cv',
        score: Infinity,
        nParameters: 11,
        error: 'x',
      },
      { nComponents: 3, covarianceType: 'full', criterion: 'cv', score: 2.5, nParameters: 17 },
    ];
    const svg = plotSelection(table, { title: 'a < b & "c"' });
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svg.match(/<polyline/g)).toHaveLength(1);
    expect(svg.match(/<circle/g)).toHaveLength(2);
    expect(svg).toContain('a &lt; b &amp; &quot;c&quot;');
  });

  it('rejects an empty table', () => {
    expect(() => plotSelection([])).toThrow(/table must be a non-empty selectModel table/);
  });
});
