import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { encodeInt32 } from '../../src/classic/classic-format.js';
import { ClassicReplyError } from '../../src/classic/client/classic-reply-error.js';
import {
  createReplyReader,
  type FramedFormat,
  type FramedReplyReader,
  type ReplyEvent,
} from '../../src/classic/client/framed-reply-reader.js';

/** Annotated wire bytes of one reply whose body is `body`, as a classic server sends them (docs/CLASSIC.md). */
function wire(format: FramedFormat, body: Buffer): Buffer {
  if (format === 'length') return Buffer.concat([encodeInt32(body.length), body]);
  if (format === 'ack') return Buffer.from(String(body.length)); // the body follows recv_ready, in later reads
  const header = Buffer.from(JSON.stringify({ total_size: body.length, data_size: body.length }));
  return Buffer.concat([encodeInt32(header.length), header, body]);
}

/** The events summarised: "size:N", the body joined as "body:TEXT", "end". */
function summary(events: readonly ReplyEvent[]): string[] {
  const out: string[] = [];
  let body: Buffer[] = [];
  const flush = (): void => {
    if (body.length > 0) out.push(`body:${Buffer.concat(body).toString('latin1')}`);
    body = [];
  };
  for (const event of events) {
    if (event.type === 'body') body.push(event.chunk);
    else {
      flush();
      out.push(event.type === 'size' ? `size:${event.size}` : 'end');
    }
  }
  flush();
  return out;
}

/** Feeds `bytes` one byte per read, as the slowest network would. */
function feedBytewise(reader: FramedReplyReader, bytes: Buffer): ReplyEvent[] {
  const events: ReplyEvent[] = [];
  for (const byte of bytes) events.push(...reader.push(Buffer.from([byte])), ...reader.endOfRead());
  return events;
}

function assertReplyError(action: () => unknown, code: string, message: RegExp): void {
  assert.throws(action, (err: unknown) => {
    assert.ok(err instanceof ClassicReplyError);
    assert.equal(err.code, code);
    assert.match(err.message, message);
    return true;
  });
}

describe('classic reply readers (json, length) fed one byte at a time', () => {
  for (const format of ['json', 'length'] as const) {
    it(`${format}: two replies back to back in one stream come out whole and apart`, () => {
      const reader = createReplyReader(format);
      const stream = Buffer.concat([
        wire(format, Buffer.from('hello\n')),
        wire(format, Buffer.alloc(0)),
        wire(format, Buffer.from('second')),
      ]);
      // Split at every byte: the first reply must end exactly where its size says, whatever arrives after it.
      let events = reader.next();
      events.push(...feedBytewise(reader, stream));
      assert.deepEqual(summary(events), ['size:6', 'body:hello\n', 'end']);
      events = reader.next();
      assert.deepEqual(summary(events), ['size:0', 'end']);
      events = reader.next();
      assert.deepEqual(summary(events), ['size:6', 'body:second', 'end']);
      reader.end();
    });

    it(`${format}: any split of one reply gives the same events`, () => {
      const bytes = wire(format, Buffer.from('0123456789'));
      for (let cut = 0; cut <= bytes.length; cut += 1) {
        const reader = createReplyReader(format);
        const events = [...reader.next(), ...reader.push(bytes.subarray(0, cut)), ...reader.push(bytes.subarray(cut))];
        assert.deepEqual(summary(events), ['size:10', 'body:0123456789', 'end'], `cut at ${cut}`);
      }
    });

    it(`${format}: a body is passed on as slices, not as a buffer of the announced size`, () => {
      const reader = createReplyReader(format);
      // Announce 1 GiB but send 3 bytes: the reader reports them at once and waits, holding nothing.
      const header = Buffer.from('{"total_size":1073741824}');
      const prefix = format === 'length' ? encodeInt32(1024 ** 3) : Buffer.concat([encodeInt32(header.length), header]);
      const events = [...reader.next(), ...reader.push(prefix), ...reader.push(Buffer.from('abc'))];
      assert.deepEqual(summary(events), ['size:1073741824', 'body:abc']);
      assert.equal(reader.midReply, true);
      assertReplyError(() => reader.end(), 'CLASSIC_REPLY_CUT', /after 3 of the 1073741824 bytes/);
    });
  }

  it('length: a negative size is a bad reply, and the reader stays failed', () => {
    const reader = createReplyReader('length');
    reader.next();
    assertReplyError(() => feedBytewise(reader, encodeInt32(-5)), 'CLASSIC_BAD_REPLY', /negative reply size \(-5\)/);
    assertReplyError(() => reader.push(Buffer.from('x')), 'CLASSIC_BAD_REPLY', /negative/);
  });

  it('length: a size beyond the cap is refused before any body byte', () => {
    const reader = createReplyReader('length', 1000);
    reader.next();
    assertReplyError(
      () => reader.push(Buffer.concat([encodeInt32(1001), Buffer.from('x')])),
      'CLASSIC_REPLY_TOO_LARGE',
      /1001 bytes, beyond --max-reply 1000/,
    );
    const atCap = createReplyReader('length', 1000);
    assert.deepEqual(summary([...atCap.next(), ...atCap.push(encodeInt32(1000))]), ['size:1000']);
  });

  const badJsonHeaders: Array<[string, Buffer, string, RegExp]> = [
    ['negative length', encodeInt32(-1), 'CLASSIC_BAD_REPLY', /header of -1 bytes/],
    ['zero length', encodeInt32(0), 'CLASSIC_BAD_REPLY', /header of 0 bytes/],
    [
      'length past 64 KiB',
      encodeInt32(65_537),
      'CLASSIC_REPLY_TOO_LARGE',
      /header of 65537 bytes, beyond the limit of 65536/,
    ],
    ['not JSON', Buffer.concat([encodeInt32(5), Buffer.from('hello')]), 'CLASSIC_BAD_REPLY', /not JSON: "hello"/],
    ['a JSON array', Buffer.concat([encodeInt32(2), Buffer.from('[]')]), 'CLASSIC_BAD_REPLY', /not a JSON object/],
    [
      'no size field',
      Buffer.concat([encodeInt32(2), Buffer.from('{}')]),
      'CLASSIC_BAD_REPLY',
      /neither total_size nor data_size/,
    ],
    [
      'a negative size',
      Buffer.concat([encodeInt32(17), Buffer.from('{"total_size":-1}')]),
      'CLASSIC_BAD_REPLY',
      /not a non-negative integer/,
    ],
    [
      'a string size',
      Buffer.concat([encodeInt32(18), Buffer.from('{"data_size":"12"}')]),
      'CLASSIC_BAD_REPLY',
      /not a non-negative integer/,
    ],
    [
      'sizes that differ',
      Buffer.concat([encodeInt32(32), Buffer.from('{"total_size":1,"data_size":2}  ')]),
      'CLASSIC_BAD_REPLY',
      /total_size \(1\) and data_size \(2\) differ/,
    ],
  ];
  for (const [name, bytes, code, message] of badJsonHeaders) {
    it(`json: a header with ${name} is refused with ${code}`, () => {
      const reader = createReplyReader('json');
      reader.next();
      assertReplyError(() => feedBytewise(reader, bytes), code, message);
    });
  }

  it('json: a header with only data_size is read (some classic variants send that)', () => {
    const reader = createReplyReader('json');
    const header = Buffer.from('{"data_size": 2, "md5": "x"}');
    const events = [
      ...reader.next(),
      ...feedBytewise(reader, Buffer.concat([encodeInt32(header.length), header, Buffer.from('ok')])),
    ];
    assert.deepEqual(summary(events), ['size:2', 'body:ok', 'end']);
  });

  it('an end of input in the middle of a header is a cut reply; between replies it is not', () => {
    const reader = createReplyReader('json');
    reader.next();
    reader.push(encodeInt32(40).subarray(0, 3));
    assertReplyError(() => reader.end(), 'CLASSIC_REPLY_CUT', /middle of a reply header \(3 bytes\)/);
    const clean = createReplyReader('json');
    clean.next();
    clean.end();
  });

  it('bytes nobody asked for are held up to a bound, then refused', () => {
    const reader = createReplyReader('length');
    reader.push(Buffer.alloc(1024 * 1024));
    assertReplyError(() => reader.push(Buffer.alloc(1)), 'CLASSIC_BAD_REPLY', /no request asked for/);
  });
});

describe('classic ack size reader', () => {
  it('takes the digits of one read as the size, then the body from later reads, byte by byte', () => {
    const reader = createReplyReader('ack');
    // The digits may come split across pushes within one read; the read's end completes them.
    const events = [
      ...reader.next(),
      ...reader.push(Buffer.from('1')),
      ...reader.push(Buffer.from('2')),
      ...reader.endOfRead(),
    ];
    assert.deepEqual(summary(events), ['size:12']);
    const body = feedBytewise(reader, Buffer.from('hello world!next'));
    assert.deepEqual(summary(body), ['body:hello world!', 'end']);
    // "next" is held for the next reply, where it is not digits.
    assertReplyError(() => reader.next(), 'CLASSIC_BAD_REPLY', /not decimal digits: "n"/);
  });

  it('reads 0 as an empty reply and tolerates whitespace around the digits', () => {
    const reader = createReplyReader('ack');
    assert.deepEqual(summary([...reader.next(), ...reader.push(Buffer.from('0')), ...reader.endOfRead()]), [
      'size:0',
      'end',
    ]);
    assert.deepEqual(summary([...reader.next(), ...reader.push(Buffer.from(' 7\r\n')), ...reader.endOfRead()]), [
      'size:7',
    ]);
  });

  it('waits for a read that holds digits', () => {
    const reader = createReplyReader('ack');
    assert.deepEqual(summary([...reader.next(), ...reader.push(Buffer.from('\n')), ...reader.endOfRead()]), []);
    assert.deepEqual(summary([...reader.push(Buffer.from('3')), ...reader.endOfRead()]), ['size:3']);
  });

  const bad: Array<[string, string, string, RegExp]> = [
    ['a minus sign', '-5', 'CLASSIC_BAD_REPLY', /not decimal digits: "-5"/],
    ['letters after digits', '12abc', 'CLASSIC_BAD_REPLY', /not decimal digits/],
    ['digits, a space, digits', '12 34', 'CLASSIC_BAD_REPLY', /not decimal digits/],
    ['eleven digits', '12345678901', 'CLASSIC_REPLY_TOO_LARGE', /more than 10 digits/],
  ];
  for (const [name, text, code, message] of bad) {
    it(`refuses ${name} with ${code}`, () => {
      const reader = createReplyReader('ack');
      reader.next();
      // One read, as the server's single send arrives; split byte by byte, "12abc" would be size 1 and a body.
      assertReplyError(() => [...reader.push(Buffer.from(text)), ...reader.endOfRead()], code, message);
    });
  }

  it('refuses a size beyond the cap', () => {
    const reader = createReplyReader('ack', 99);
    reader.next();
    reader.push(Buffer.from('100'));
    assertReplyError(() => reader.endOfRead(), 'CLASSIC_REPLY_TOO_LARGE', /100 bytes, beyond --max-reply 99/);
  });
});

describe('classic reply readers: properties', () => {
  /** Splits `bytes` at the given cut points (sorted, deduplicated), as the network might. */
  const chunked = (bytes: Buffer, cuts: number[]): Buffer[] => {
    const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
    const out: Buffer[] = [];
    let from = 0;
    for (const point of [...points, bytes.length]) {
      out.push(bytes.subarray(from, point));
      from = point;
    }
    return out;
  };

  for (const format of ['json', 'length'] as const) {
    it(`${format}: any replies, any chunking: each reply comes out whole and alone`, () => {
      fc.assert(
        fc.property(
          fc.array(fc.uint8Array({ maxLength: 300 }), { minLength: 1, maxLength: 5 }),
          fc.array(fc.nat(), { maxLength: 20 }),
          (bodies, cuts) => {
            const reader = createReplyReader(format);
            const stream = Buffer.concat(bodies.map((b) => wire(format, Buffer.from(b))));
            const got: string[] = [];
            let current: Buffer[] = [];
            // As the connection does: after a reply's end, next() starts the following one from held bytes.
            const take = (events: ReplyEvent[]): void => {
              for (const e of events) {
                if (e.type === 'body') current.push(e.chunk);
                if (e.type === 'end') {
                  got.push(Buffer.concat(current).toString('hex'));
                  current = [];
                  if (got.length < bodies.length) take(reader.next());
                }
              }
            };
            take(reader.next());
            for (const chunk of chunked(stream, cuts)) take(reader.push(chunk));
            reader.end();
            assert.deepEqual(
              got,
              bodies.map((b) => Buffer.from(b).toString('hex')),
            );
          },
        ),
        { numRuns: 300 },
      );
    });
  }

  for (const format of ['json', 'length', 'ack'] as const) {
    it(`${format}: random bytes from a hostile server only ever raise ClassicReplyError, and never yield more body than announced`, () => {
      fc.assert(
        fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 8 }), (chunks) => {
          const reader = createReplyReader(format, 4096);
          let announced = 0;
          let body = 0;
          try {
            const events = [...reader.next()];
            for (const chunk of chunks) events.push(...reader.push(Buffer.from(chunk)), ...reader.endOfRead());
            for (const e of events) {
              if (e.type === 'size') announced = e.size;
              if (e.type === 'body') body += e.chunk.length;
              if (e.type === 'end') return;
            }
            assert.ok(body <= announced);
            reader.end();
          } catch (err) {
            assert.ok(err instanceof ClassicReplyError, String(err));
          }
        }),
        { numRuns: 500 },
      );
    });
  }
});
