// The JavaScript mirror of the C ABI (web/engine/abi.js) against the C it mirrors: status codes
// and their names, parser ids, stage names, struct layouts, and the few constants JavaScript
// needs. Read from the headers (and from the wasm for the name tables in c/src/status.c and
// stats.c), so a code added, renumbered or renamed on one side fails here, not in a page.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import * as abi from '../web/engine/abi.js';
import { wasmRuntime } from '../web/flowcast.js';

const root = new URL('..', import.meta.url);
const read = (/** @type {string} */ path) => readFileSync(new URL(path, root), 'utf8');
const header = read('c/include/flowcast.h');
const cSources = readdirSync(new URL('c/src/', root)).filter((f) => f.endsWith('.c')).map((f) => read(`c/src/${f}`)).join('\n');

/**
 * The members of `typedef enum <name> { ... }` with their values (explicit or counted).
 * @param {string} text
 * @param {string} name
 * @returns {Map<string, number>}
 */
function cEnum(text, name) {
  const m = new RegExp(`typedef enum ${name}\\s*\\{([^}]*)\\}`).exec(text);
  assert.ok(m, `enum ${name} not found`);
  const members = new Map();
  let next = 0;
  for (const item of m[1].replace(/\/\*[\s\S]*?\*\//g, '').split(',')) {
    const e = /^\s*(\w+)\s*(?:=\s*(\d+))?\s*$/.exec(item);
    if (!e) continue;
    const value = e[2] === undefined ? next : Number(e[2]);
    members.set(e[1], value);
    next = value + 1;
  }
  return members;
}

/**
 * Differences between the C fc_status enum in `text` and a JavaScript table of codes by C name.
 * @param {string} text  flowcast.h
 * @param {Record<string, number>} js
 */
function statusDifferences(text, js) {
  const c = cEnum(text, 'fc_status');
  c.delete('FC_STATUS_COUNT');
  const out = [];
  for (const [name, value] of c) if (js[name] !== value) out.push(`${name}: C ${value}, JS ${js[name]}`);
  for (const name of Object.keys(js)) if (!c.has(name)) out.push(`${name}: in JS, not in C`);
  return out;
}

test('every fc_status code is exported by name with the value flowcast.h gives it', () => {
  assert.deepEqual(statusDifferences(header, abi.FC_STATUS), []);
  assert.ok(Object.keys(abi.FC_STATUS).length >= 18, 'the header parse found the codes');
  // the named exports and the table are the same set
  const named = Object.entries(abi).filter(([k]) => /^FC_(OK|E_\w+)$/.test(k));
  assert.deepEqual(Object.fromEntries(named), { ...abi.FC_STATUS });
});

test('the comparison fails on a renumbered, renamed or missing code', () => {
  assert.match(statusDifferences(header.replace('FC_E_RANGE = 16', 'FC_E_RANGE = 99'), abi.FC_STATUS).join(), /FC_E_RANGE: C 99, JS 16/);
  assert.match(statusDifferences(header.replace('FC_E_UNSUPPORTED = 17,', 'FC_E_UNSUPPORTED = 17,\n    FC_E_NEW = 18,'), abi.FC_STATUS).join(), /FC_E_NEW: C 18, JS undefined/);
  const { FC_E_JSON, ...withoutJson } = abi.FC_STATUS;
  assert.equal(FC_E_JSON, 6);
  assert.match(statusDifferences(header, withoutJson).join(), /FC_E_JSON: C 6, JS undefined/);
});

test('the wasm names each code as its JavaScript constant (c/src/status.c)', async () => {
  const rt = await wasmRuntime();
  for (const [name, code] of Object.entries(abi.FC_STATUS)) assert.equal(`FC_${rt.statusName(code)}`, name);
});

test('parser ids, stage names and the route flag match flowcast.h and the wasm', async () => {
  const parsers = cEnum(header, 'fc_parser');
  assert.deepEqual(Object.fromEntries(Object.entries(abi.PARSERS).map(([k, v]) => [`FC_PARSER_${k.toUpperCase()}`, v])),
    Object.fromEntries(parsers));
  assert.ok(![...parsers.values()].includes(abi.PARSER_INVALID), 'PARSER_INVALID must not be a parser');

  const stages = cEnum(header, 'fc_stage_id');
  assert.equal(stages.get('FC_STAGE_COUNT'), abi.FC_STAGE_COUNT);
  stages.delete('FC_STAGE_COUNT');
  assert.deepEqual([...stages].map(([k, v]) => [k.replace('FC_STAGE_', '').toLowerCase(), v]),
    abi.STAGE_NAMES.map((s, i) => [s, i]));
  const rt = await wasmRuntime();
  assert.deepEqual(abi.STAGE_NAMES.map((_, k) => rt.cString(rt.x.fc_stage_name(k))), [...abi.STAGE_NAMES]);

  assert.equal(Number(/#define FC_ROUTE_NO_CACHE (\d+)u?/.exec(header)?.[1]), abi.FC_ROUTE_NO_CACHE);
});

test('EVIDENCE names every fc_evidence level with its C value, and only those', () => {
  const c = cEnum(header, 'fc_evidence');
  assert.equal(c.get('FC_EVIDENCE_COUNT'), abi.EVIDENCE_NAMES.length);
  c.delete('FC_EVIDENCE_COUNT');
  assert.deepEqual(Object.fromEntries([...c].map(([k, v]) => [k.replace('FC_EVIDENCE_', '').toLowerCase(), v])), { ...abi.EVIDENCE });
  assert.deepEqual(abi.EVIDENCE_NAMES.map((name, v) => abi.EVIDENCE[/** @type {keyof typeof abi.EVIDENCE} */ (name)] === v), abi.EVIDENCE_NAMES.map(() => true));
  // the comparison itself fails on a renumbered level
  const renumbered = cEnum(header.replace('FC_EVIDENCE_NONE = 4', 'FC_EVIDENCE_NONE = 5'), 'fc_evidence');
  assert.notEqual(renumbered.get('FC_EVIDENCE_NONE'), abi.EVIDENCE.none);
});

test('constants JavaScript relies on match their C definitions', () => {
  assert.equal(Number(/#define FC_TRACE_CAP (\d+)/.exec(read('c/src/stats.h'))?.[1]), abi.TRACE_CAP);
  const payload = /max_payload_bytes = (\d+)u? << (\d+);/.exec(cSources);
  assert.ok(payload, 'fc_config_default sets max_payload_bytes');
  assert.equal(Number(payload[1]) * 2 ** Number(payload[2]), abi.DEFAULT_MAX_PAYLOAD);
  assert.equal(Number(/return (\d+) \+ need;/.exec(read('c/wasm/api.c'))?.[1]), abi.TILE_MISSING_BASE);
  assert.match(read('c/src/tile.h'), new RegExp(`day type \\(0 ${abi.DAYTYPES[0]}, 1 ${abi.DAYTYPES[1]}\\)`));
});

/** Sizes (and alignments) of the C field types that the mirrored structs use. */
const TYPE_SIZES = { int64_t: 8, uint64_t: 8, double: 8, int32_t: 4, uint32_t: 4, float: 4 };

/**
 * Field offsets and size of `typedef struct <name> { ... }` under the natural alignment of
 * wasm32 (every field type here is aligned to its size).
 * @param {string} text
 * @param {string} name
 */
function cStruct(text, name) {
  const m = new RegExp(`typedef struct ${name}\\s*\\{([^}]*)\\}`).exec(text);
  assert.ok(m, `struct ${name} not found`);
  /** @type {Record<string, number>} */
  const offsets = {};
  let at = 0, align = 1;
  for (const decl of m[1].replace(/\/\*[\s\S]*?\*\//g, '').split(';')) {
    const d = /^\s*(\w+)\s+([\w\s,]+)$/.exec(decl.trim());
    if (!d) continue;
    const size = TYPE_SIZES[/** @type {keyof typeof TYPE_SIZES} */ (d[1])];
    assert.ok(size, `${name}: field type ${d[1]} not in TYPE_SIZES`);
    align = Math.max(align, size);
    for (const field of d[2].split(',').map((s) => s.trim())) {
      at = Math.ceil(at / size) * size;
      offsets[field] = at;
      at += size;
    }
  }
  return { offsets, size: Math.ceil(at / align) * align };
}

test('struct layouts JavaScript reads match the C structs', () => {
  const stats = read('c/src/stats.h');
  for (const [cName, text, js, bytes] of /** @type {const} */ ([
    ['fc_ingest_result', header, abi.INGEST_RESULT, abi.INGEST_RESULT_BYTES],
    ['fc_local_time', header, null, abi.LOCAL_TIME_BYTES],
    ['fc_travel_time', header, abi.TRAVEL_TIME, abi.TRAVEL_TIME_BYTES],
    ['fc_travel_segment', header, abi.TRAVEL_SEGMENT, abi.TRAVEL_SEGMENT_BYTES],
    ['fc_departure', header, abi.DEPARTURE, abi.DEPARTURE_BYTES],
    ['fc_cache_stats', header, abi.CACHE_STATS, abi.CACHE_STATS_BYTES],
    ['fc_stage_stats', header, abi.STAGE_STATS, abi.STAGE_STATS_BYTES],
    ['fc_memory', header, abi.MEMORY, abi.MEMORY_BYTES],
    ['fc_span', stats, abi.SPAN, abi.SPAN_BYTES],
  ])) {
    const c = cStruct(text, cName);
    assert.equal(bytes, c.size, `sizeof(${cName})`);
    for (const [field, offset] of Object.entries(js ?? {})) assert.equal(offset, c.offsets[field], `${cName}.${field}`);
  }
  // the per-engine scratch block holds its three areas without overlap
  assert.ok(abi.OFF_RESULT + abi.INGEST_RESULT_BYTES <= abi.OFF_LOCAL);
  assert.ok(abi.OFF_LOCAL + abi.LOCAL_TIME_BYTES <= abi.OFF_OUT && abi.OFF_OUT % 8 === 0);
  assert.ok(abi.OFF_OUT + 8 <= abi.SCRATCH_BYTES);
});

test('the layout reader fails on a moved field', () => {
  const moved = header.replace('uint32_t accepted;', 'uint32_t pad, accepted;');
  assert.notEqual(cStruct(moved, 'fc_ingest_result').offsets.accepted, abi.INGEST_RESULT.accepted);
});
