// The numbers of Trainer dict lines read from bytes (bytesDict.ts, the parser's fast path) are the doubles Number()
// gives for the same text, for every digit count: the inlined fast path (digits below 2^53, at most 22 after the
// point) and the slow path behind it (16-19 significant digits in double-double, more through Number()).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createLogParser } from '../../src/core/metrics';

/** Values of the `x` key of Trainer dict lines, parsed from bytes in one chunk (the byte fast path). */
function viaBytes(tokens: string[]): number[] {
  const text = tokens.map((t) => `{'loss': 1.5, 'x': ${t}, 'epoch': 0.25}\n`).join('');
  const p = createLogParser({ fileName: 'train.log' });
  const pts = [...p.push(new TextEncoder().encode(text)).points, ...p.end().points];
  return pts.filter((q) => q.series === 'x').map((q) => q.value);
}

test('decimals at the edges of the fast path read as Number() reads them', () => {
  const tokens = [
    '0', '7', '1.', '.5', '0.00', '9007199254740991', '9007199254740992', '9007199254740993', '9007199254740995',
    '90071992547409931', '1.1096286776520445', '0.00019606025492468137', '0.1000000000000000055511151231257827',
    '0.0000000000000000000001', '0.00000000000000000000001', '123456789012345678901234567890', '2.5e-05',
    '1.9999999999999998e-05', '-0.5', '+3.25', 'nan', 'inf', '-inf', '1e400', '4.9406564584124654e-324',
  ];
  const got = viaBytes(tokens);
  assert.equal(got.length, tokens.length);
  tokens.forEach((t, i) => assert.ok(Object.is(got[i], Number(t.replace(/^nan$/, 'NaN').replace(/inf$/, 'Infinity'))), `${t}: ${got[i]}`));
});

test('property: any digit string with a point anywhere reads as Number() reads it', () => {
  const token = fc.tuple(fc.stringMatching(/^[0-9]{1,26}$/), fc.nat({ max: 26 }))
    .map(([digits, at]) => (at >= digits.length ? digits : `${digits.slice(0, at)}.${digits.slice(at)}`));
  fc.assert(fc.property(fc.array(token, { minLength: 1, maxLength: 30 }), (tokens) => {
    const got = viaBytes(tokens);
    assert.deepEqual(got, tokens.map(Number));
  }), { numRuns: 300, seed: 7 });
});

test('property: leading zeros then up to 20 significant digits (the int32-chunk and double-double paths) read as Number()', () => {
  const token = fc.tuple(fc.nat({ max: 6 }), fc.stringMatching(/^[1-9][0-9]{0,19}$/), fc.nat({ max: 21 }))
    .map(([zeros, digits, at]) => (at >= digits.length ? `0.${'0'.repeat(zeros)}${digits}` : `${digits.slice(0, at)}.${digits.slice(at)}`));
  fc.assert(fc.property(fc.array(token, { minLength: 1, maxLength: 30 }), (tokens) => {
    assert.deepEqual(viaBytes(tokens), tokens.map(Number));
  }), { numRuns: 300, seed: 11 });
});

test('keys compared with the previous line by word and byte: a key that differs anywhere is its own series', () => {
  // Same lengths with the difference in the first word, in the byte tail, in the closing quote; longer and shorter keys.
  const lines = [
    "{'learning_rate': 1.0, 'loss': 2.0}", "{'learning_ratf': 1.5, 'loss': 2.5}", "{'xearning_rate': 1.25, 'lost': 3.0}",
    "{'learning_rate2': 4.0, 'los': 5.0}", "{'learning_rate': 6.0, 'loss': 7.0}",
    // Alternating kinds of lines (train, eval) are compared with the line before the last too; a key one byte
    // longer or shorter than the one kept there is still another key.
    "{'eval_loss': 8.0, 'epoch': 9.0}", "{'learning_rate': 10.0, 'loss': 11.0}", "{'eval_loss': 12.0, 'epoch': 13.0}",
    "{'eval_losss': 14.0, 'epoc': 15.0}", "{'eval_loss': 16.0, 'epoch': 17.0}",
  ];
  const p = createLogParser({ fileName: 'train.log' });
  const pts = [...p.push(new TextEncoder().encode(`${lines.join('\n')}\n`)).points, ...p.end().points];
  assert.deepEqual(pts.map((q) => `${q.series}=${q.value}`), [
    'learning_rate=1', 'loss=2', 'learning_ratf=1.5', 'loss=2.5', 'xearning_rate=1.25', 'lost=3', 'learning_rate2=4', 'los=5', 'learning_rate=6', 'loss=7',
    'eval_loss=8', 'epoch=9', 'learning_rate=10', 'loss=11', 'eval_loss=12', 'epoch=13', 'eval_losss=14', 'epoc=15', 'eval_loss=16', 'epoch=17',
  ]);
});

test('50,000 decimals of 16-18 significant digits (the double-double path: grad norms, learning rates) read as Number()', () => {
  let seed = 99;
  const rnd = (n: number): number => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
  const tokens: string[] = [];
  for (let i = 0; i < 50_000; i++) {
    let digits = String(1 + rnd(9));
    for (let k = 16 + rnd(3); digits.length < k;) digits += String(rnd(10));
    const at = rnd(3);
    tokens.push(at === 0 ? `0.${'0'.repeat(rnd(6))}${digits}` : `${digits.slice(0, at)}.${digits.slice(at)}`);
  }
  const got = viaBytes(tokens);
  const bad = tokens.filter((t, i) => !Object.is(got[i], Number(t)));
  assert.deepEqual(bad, []);
});

test('four digits per load: bytes just outside 0-9 beside digits end the number as they do one byte at a time', () => {
  // digits4 (bytesDict.ts) takes four bytes as digits only if each is '0'..'9'; ':' (0x3a) and '/' (0x2f) sit right
  // beside them, and 0x3a..0x3f share their high nibble. Each odd line sits between two plain ones (a log's first line
  // is read by the string path) and must read as the string path reads it: no digit after the odd byte joins the number.
  const odd = [':', '/', ';', '?', '>', '=', '\x7f'];
  let checked = 0;
  for (const c of odd) {
    for (let at = 1; at <= 9; at++) {
      const text = `{'loss': 1.5, 'x': 1}\n{'loss': 1.5, 'x': ${'123456789'.slice(0, at)}${c}98765}\n{'loss': 1.5, 'x': 2}\n`;
      const viaBytes = createLogParser({ fileName: 'train.log' });
      const fromBytes = [...viaBytes.push(new TextEncoder().encode(text)).points, ...viaBytes.end().points];
      const viaText = createLogParser({ fileName: 'train.log' });
      const fromText = [...viaText.push(text).points, ...viaText.end().points];
      assert.deepEqual(fromBytes, fromText, JSON.stringify(text));
      for (const p of fromBytes) assert.ok(!String(p.value).includes('98765'), `${JSON.stringify(text)}: ${p.series} ${p.value}`);
      checked++;
    }
  }
  assert.equal(checked, odd.length * 9);
  // Control: with a digit in place of the odd byte, the middle line reads as one number (the byte path is taken).
  const good = createLogParser({ fileName: 'train.log' });
  const pts = [...good.push(new TextEncoder().encode("{'loss': 1.5, 'x': 1}\n{'loss': 1.5, 'x': 1234098765}\n{'loss': 1.5, 'x': 2}\n")).points, ...good.end().points];
  assert.deepEqual(pts.filter((p) => p.series === 'x').map((p) => p.value), [1, 1234098765, 2]);
});

test('a number cut by the chunk end inside a group of four digits reads whole, fed byte by byte or whole', () => {
  const text = [1, 2, 3].map((s) => `{'loss': 1.2345678901234567, 'grad_norm': 12345678.123456789, 'learning_rate': 0.0001234, 'step': ${s}}\n`).join('');
  const bytes = new TextEncoder().encode(text);
  const whole = createLogParser({ fileName: 'train.log' });
  const a = [...whole.push(bytes).points, ...whole.end().points];
  assert.deepEqual(a.map((p) => p.value), [1, 2, 3].flatMap(() => [1.2345678901234567, 12345678.123456789, 0.0001234]));
  const bit = createLogParser({ fileName: 'train.log' });
  const b = [];
  for (let i = 0; i < bytes.length; i++) b.push(...bit.push(bytes.subarray(i, i + 1)).points);
  b.push(...bit.end().points);
  assert.deepEqual(b, a);
});
