import { describe, expect, it } from 'vitest';
import { parseInline, parseMarkdown } from './markdown';
import { niceCeil, timeTicks } from './TimeChart';

describe('model card markdown', () => {
  it('parses the blocks a generated card has', () => {
    const md = [
      '# churn v2',
      '',
      '**Task:** binary — target `churned`',
      '',
      '## Metrics',
      '| metric | value |',
      '| --- | --- |',
      '| roc_auc | 0.8123 |',
      '| accuracy | 0.7700 |',
      '',
      '## Limitations',
      '- Trained on 2,000 rows;',
      '- Takes `tenure` (float).',
      'Made by run `r-1`',
      'of pipeline `churn` v1.',
    ].join('\n');
    const blocks = parseMarkdown(md);
    expect(blocks.map((b) => b.kind)).toEqual([
      'heading',
      'paragraph',
      'heading',
      'table',
      'heading',
      'list',
      'paragraph',
    ]);
    expect(blocks[0]).toEqual({ kind: 'heading', level: 1, inline: [{ kind: 'text', text: 'churn v2' }] });
    expect(blocks[3]).toMatchObject({
      kind: 'table',
      header: [[{ kind: 'text', text: 'metric' }], [{ kind: 'text', text: 'value' }]],
      rows: [
        [[{ text: 'roc_auc' }], [{ text: '0.8123' }]],
        [[{ text: 'accuracy' }], [{ text: '0.7700' }]],
      ],
    });
    expect(blocks[5]).toMatchObject({
      kind: 'list',
      items: [[{ text: 'Trained on 2,000 rows;' }], expect.any(Array)],
    });
    // Consecutive lines make one paragraph.
    expect(blocks[6]).toEqual({
      kind: 'paragraph',
      inline: [
        { kind: 'text', text: 'Made by run ' },
        { kind: 'code', text: 'r-1' },
        { kind: 'text', text: ' of pipeline ' },
        { kind: 'code', text: 'churn' },
        { kind: 'text', text: ' v1.' },
      ],
    });
  });
  it('reads inline code and bold, and leaves markup-looking text as text', () => {
    expect(parseInline('**Task:** <b>x</b> `a|b`')).toEqual([
      { kind: 'strong', text: 'Task:' },
      { kind: 'text', text: ' <b>x</b> ' },
      { kind: 'code', text: 'a|b' },
    ]);
    expect(parseMarkdown('| not | a table |')).toEqual([
      { kind: 'paragraph', inline: [{ kind: 'text', text: '| not | a table |' }] },
    ]);
  });
});

describe('chart scale', () => {
  it('rounds the top of the y axis up to 1, 2 or 5 times a power of ten', () => {
    expect([0, 0.03, 0.9, 1, 3.2, 7, 12, 480].map(niceCeil)).toEqual([1, 0.05, 1, 1, 5, 10, 20, 500]);
  });
});

describe('time ticks', () => {
  it('puts ticks on round times, at most five', () => {
    const at = (h: number, m: number, s = 0) => Date.UTC(2026, 10, 23, h, m, s);
    expect(timeTicks(at(12, 0), at(12, 15))).toEqual({
      ticks: [at(12, 0), at(12, 5), at(12, 10), at(12, 15)],
      step: 300_000,
    });
    expect(timeTicks(at(12, 0, 5), at(12, 0, 55)).ticks).toEqual(
      [10, 20, 30, 40, 50].map((x) => at(12, 0, x)),
    );
    expect(timeTicks(at(12, 0, 5), at(12, 1, 55)).ticks).toEqual([30, 60, 90].map((x) => at(12, 0, x)));
    expect(timeTicks(at(0, 0), at(0, 0) + 3 * 86_400_000).ticks).toHaveLength(4);
  });
});
