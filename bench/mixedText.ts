/**
 * Deterministic mixed text for the tokenizer benches and tests: English prose, code, CJK, Korean, Arabic, emoji (ZWJ
 * sequences too), numbers, accents, whitespace runs and special-token strings written as text. No imports, so the
 * integration bundle (test/integration/tokenizerPanel.perf.ts) can take it too.
 */
const PIECES = [
  'The quick brown fox jumps over the lazy dog. ', 'Fine-tuning large language models needs careful tokenization. ',
  'def train(model, data):\n    for step, batch in enumerate(data):\n        loss = model(**batch).loss\n',
  '训练语言模型需要大量的数据。', '한국어 텍스트를 토큰화합니다. ', 'العربية لغة جميلة. ', '🙂 🎉 👨‍👩‍👧 ', '2024-01-31 12:00:00, 99.9%, $1,000 ',
  'Über, résumé, façade — ‘single’ “double” ', '   indented\n\tcode block\r\n', '<s> special tokens written as text </s> ',
];

const SIZES = PIECES.map((p) => new TextEncoder().encode(p).length);

/** Deterministic documents of 1-4 KB each, totalling at least `bytes` bytes of UTF-8. */
export function mixedDocuments(bytes: number): string[] {
  let seed = 7;
  const rnd = (n: number): number => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
  const docs: string[] = [];
  let total = 0;
  while (total < bytes) {
    const target = 1024 + rnd(3072);
    let doc = '';
    let n = 0;
    while (n < target) { const p = rnd(PIECES.length); doc += PIECES[p]; n += SIZES[p]; }
    docs.push(doc);
    total += n;
  }
  return docs;
}

/** One text of at least `bytes` bytes of UTF-8: the documents of `mixedDocuments` joined with blank lines. */
export function mixedText(bytes: number): string {
  return mixedDocuments(bytes).join('\n\n');
}
