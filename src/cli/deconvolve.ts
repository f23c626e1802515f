import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { PNG } from 'pngjs';
import { gaussianPsf, motionPsf, richardsonLucy, type Image } from '../index.js';
import { numberOption, parsingArgs, requirePositionals } from './args.js';
import { CliError, UsageError, fsError } from './errors.js';

export const DECONVOLVE_HELP = `Usage: emwasm deconvolve IN.png --psf SPEC -o OUT.png [options]

Restores a blurred PNG image by Richardson–Lucy deconvolution (scikit-image's richardson_lucy),
each colour channel on its own (a grey image once); alpha is kept.

Options:
  --psf SPEC           the blur: gaussian:SIGMA (pixels) or motion:LENGTH,ANGLE (pixels, degrees
                       counter-clockwise from the x axis)
  --iterations N       Richardson–Lucy iterations (default 50)
  --tv LAMBDA          total-variation regularisation (Dey et al. 2006), in [0, 0.25) (default 0)
  -o, --out FILE       the restored image (PNG, 8 bits per channel)
  -h, --help           show this help

Example:
  emwasm deconvolve in.png --psf gaussian:2 --iterations 30 -o out.png
`;

const OPTIONS = {
  psf: { type: 'string' },
  iterations: { type: 'string' },
  tv: { type: 'string' },
  out: { type: 'string', short: 'o' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** `gaussian:2` or `motion:9,30` as a PSF. */
export function parsePsf(spec: string): Image {
  const m = /^(gaussian|motion):(.*)$/.exec(spec.trim());
  const numbers = m ? m[2].split(',').map((s) => (s.trim() === '' ? NaN : Number(s))) : [];
  if (m && m[1] === 'gaussian' && numbers.length === 1 && numbers[0] > 0) return gaussianPsf(numbers[0]);
  if (m && m[1] === 'motion' && numbers.length === 2 && numbers[0] > 0 && Number.isFinite(numbers[1])) {
    return motionPsf(numbers[0], numbers[1]);
  }
  throw new UsageError(
    `--psf must be gaussian:SIGMA (SIGMA > 0) or motion:LENGTH,ANGLE (LENGTH > 0), got '${spec}'`,
  );
}

function readPng(path: string): PNG {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw fsError('read', path, err);
  }
  try {
    return PNG.sync.read(bytes);
  } catch (err) {
    throw new CliError(`${path} is not a PNG image (${(err as Error).message})`);
  }
}

/** `emwasm deconvolve`: reads the PNG, deconvolves each channel, writes the PNG. */
export async function deconvolve(args: string[]): Promise<void> {
  const { values: v, positionals } = parsingArgs(() =>
    parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true }),
  );
  if (v.help) {
    process.stdout.write(DECONVOLVE_HELP);
    return;
  }
  const [path] = requirePositionals(positionals, ['IN.png']);
  if (v.psf === undefined) throw new UsageError('missing --psf (gaussian:SIGMA or motion:LENGTH,ANGLE)');
  if (v.out === undefined) throw new UsageError('missing -o/--out FILE');
  const psf = parsePsf(v.psf);
  const iterations = numberOption('--iterations', v.iterations) ?? 50;
  const tv = numberOption('--tv', v.tv);
  if (!Number.isInteger(iterations) || iterations < 0) {
    throw new UsageError(`--iterations must be an integer >= 0, got '${v.iterations}'`);
  }
  if (tv !== undefined && !(tv >= 0 && tv < 0.25))
    throw new UsageError(`--tv must be in [0, 0.25), got '${v.tv}'`);

  const png = readPng(path);
  const { width, height, data } = png;
  const pixels = width * height;
  let grey = true;
  for (let i = 0; i < pixels && grey; i++)
    grey = data[4 * i] === data[4 * i + 1] && data[4 * i] === data[4 * i + 2];
  const channels = grey ? [0] : [0, 1, 2];
  const restored: Float64Array[] = [];
  for (const ch of channels) {
    const plane = new Float64Array(pixels);
    for (let i = 0; i < pixels; i++) plane[i] = data[4 * i + ch] / 255;
    const out = await richardsonLucy({ data: plane, shape: [height, width] }, psf, {
      iterations,
      regularization: tv ? { tv } : undefined,
    });
    restored.push(out.data);
  }
  const result = new PNG({ width, height });
  for (let i = 0; i < pixels; i++) {
    for (let c = 0; c < 3; c++) {
      const v01 = restored[grey ? 0 : c][i];
      result.data[4 * i + c] = Math.round(Math.min(1, Math.max(0, v01)) * 255);
    }
    result.data[4 * i + 3] = data[4 * i + 3];
  }
  try {
    writeFileSync(v.out, PNG.sync.write(result));
  } catch (err) {
    throw fsError('write', v.out, err);
  }
  const [rows, cols] = psf.shape;
  process.stdout.write(
    `${path}: ${width}×${height} ${grey ? 'grey' : 'RGB'}, PSF ${v.psf} (${rows}×${cols}), ` +
      `${iterations} Richardson–Lucy iterations → ${v.out}\n`,
  );
}
