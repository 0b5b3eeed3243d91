// matrix-seeds.mjs — writes short slices of the real Los-loop matrices (the first rows and
// columns of the speed file with its header, a block of the adjacency matrix) into the
// fuzz_matrix seed corpus, so mutations start from the real files' number shapes. Run once by
// hand when the data changes: `node tests/fuzz/matrix-seeds.mjs [DATA_DIR]`.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const out = fileURLToPath(new URL('corpus/matrix/', import.meta.url));
const dir = process.argv[2] ?? fileURLToPath(new URL('../../../shared/data/los-loop/', import.meta.url));

/**
 * The top-left rows x cols block of a CSV text, joined with `eol`.
 * @param {string} text @param {number} rows @param {number} cols @param {string} eol
 */
function slice(text, rows, cols, eol = '\n') {
  return text.split(/\r?\n/).slice(0, rows).map((l) => l.split(',').slice(0, cols).join(',')).join(eol) + eol;
}

const speed = readFileSync(`${dir}/los_speed_train.csv`, 'utf8');
const adj = readFileSync(`${dir}/los_adj.csv`, 'utf8');
const seeds = {
  'los-speed-6x8.csv': slice(speed, 6, 8),
  'los-speed-3x40-crlf.csv': slice(speed, 3, 40, '\r\n'),
  'los-adj-8x8.csv': slice(adj, 8, 8),
  'los-adj-2x60.csv': slice(adj, 2, 60),
};
for (const [name, text] of Object.entries(seeds)) {
  writeFileSync(`${out}${name}`, text);
  console.log(`${name}: ${text.length} bytes`);
}
