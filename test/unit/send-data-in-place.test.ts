/**
 * FramedConnection.sendDataInPlace: a data frame whose head is written into the room before its body, so
 * it leaves as one buffer. Over a real loopback socket pair: the bytes on the wire are those of
 * sendData(); on any other kind of stream it falls back to sendData() and never calls back (so no
 * caller reuses a buffer such a stream may still hold).
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { DATA_HEAD_ROOM_BYTES, FramedConnection } from '../../src/connection/framed-connection.js';

/** A connected pair of real TCP sockets on loopback. */
async function socketPair(): Promise<[net.Socket, net.Socket]> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  const accepted = once(server, 'connection') as Promise<[net.Socket]>;
  const client = net.connect(port, '127.0.0.1');
  await once(client, 'connect');
  const [peer] = await accepted;
  server.close();
  return [client, peer];
}

async function bytesOnTheWire(send: (conn: FramedConnection) => void): Promise<Buffer> {
  const [a, b] = await socketPair();
  const conn = new FramedConnection(a);
  const got: Buffer[] = [];
  b.on('data', (c: Buffer) => got.push(c));
  send(conn);
  a.end();
  await once(b, 'end');
  b.destroy();
  return Buffer.concat(got);
}

/** A body of `size` bytes with DATA_HEAD_ROOM_BYTES free before it, filled with a pattern. */
function roomyBody(size: number): Buffer {
  const memory = Buffer.alloc(DATA_HEAD_ROOM_BYTES + size, 0xee);
  const body = memory.subarray(DATA_HEAD_ROOM_BYTES);
  for (let i = 0; i < size; i++) body[i] = (i * 7) & 0xff;
  return body;
}

describe('FramedConnection.sendDataInPlace', () => {
  it('puts the same bytes on a socket as sendData, and calls back once the socket took them', async () => {
    for (const size of [5000, 128 * 1024, 1024 * 1024]) {
      const expected = await bytesOnTheWire((conn) => conn.sendData(7, 'file', Buffer.from(roomyBody(size))));
      let written = 0;
      const actual = await bytesOnTheWire((conn) =>
        conn.sendDataInPlace(7, 'file', roomyBody(size), () => (written += 1)),
      );
      assert.ok(actual.equals(expected), `frame of ${size} bytes differs`);
      assert.equal(written, 1);
    }
  });

  it('a body without room before it, or a small one, goes the sendData way (no callback)', async () => {
    let written = 0;
    const noRoom = Buffer.alloc(64 * 1024, 1);
    const small = roomyBody(100);
    const expected = await bytesOnTheWire((conn) => {
      conn.sendData(1, 'file', noRoom);
      conn.sendData(1, 'file', small);
    });
    const actual = await bytesOnTheWire((conn) => {
      conn.sendDataInPlace(1, 'file', noRoom, () => (written += 1));
      conn.sendDataInPlace(1, 'file', small, () => (written += 1));
    });
    assert.ok(actual.equals(expected));
    assert.equal(written, 0);
  });

  it('on a stream that is not a socket: sendData, and never a callback', async () => {
    const pipe = new PassThrough();
    const got: Buffer[] = [];
    pipe.on('data', (c: Buffer) => got.push(c));
    const conn = new FramedConnection(pipe);
    let written = 0;
    const body = roomyBody(256 * 1024);
    const before = Buffer.from(body.buffer, body.byteOffset - DATA_HEAD_ROOM_BYTES, DATA_HEAD_ROOM_BYTES);
    conn.sendDataInPlace(3, 'file', body, () => (written += 1));
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    assert.equal(written, 0);
    assert.ok(before.equals(Buffer.alloc(DATA_HEAD_ROOM_BYTES, 0xee)), 'the room was written into');
    const wire = Buffer.concat(got);
    assert.ok(wire.subarray(wire.length - body.length).equals(body), 'the frame did not arrive whole');
  });
});
