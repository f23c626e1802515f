import { describe, expect, it } from 'vitest';
import { ParallelBeamProjector, sheppLogan } from '../../src/index';
import { filteredBackProjection } from '../../web/page/tomography-panel';

describe("the demo's filtered back-projection", () => {
  it('reconstructs a noiseless Shepp–Logan sinogram in the phantom units', () => {
    const size = 128;
    const phantom = sheppLogan(size);
    const projector = new ParallelBeamProjector({ size, angles: 180 });
    const image = filteredBackProjection(projector, projector.forward(phantom));
    let e = 0;
    let brain = 0;
    let pixels = 0;
    for (let i = 0; i < image.length; i++) {
      e += (image[i] - phantom[i]) ** 2;
      if (Math.abs(phantom[i] - 0.2) < 1e-9) {
        brain += image[i];
        pixels++;
      }
    }
    expect(Math.sqrt(e / image.length)).toBeLessThan(0.05);
    // The brain (0.2 in the phantom) comes out at its level: the filter and the 𝜋/angles scale are right.
    expect(Math.abs(brain / pixels - 0.2)).toBeLessThan(0.01);
  });
});
