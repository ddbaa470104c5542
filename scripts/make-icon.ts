/**
 * @module scripts/make-icon
 * Draws the project's default connector icon, `assets/icon.png`: a 230×230 square on the brand colour
 * (#da3b01, the default `iconBrandColor`) with a white mark about 160 px wide: two facing brackets (REST) around
 * a dot (the MCP server). Power Platform wants a square, non-transparent PNG whose background matches
 * `iconBrandColor` (rulebook C-16). A minimal PNG encoder on node:zlib: no image library needed.
 * Run: `npx tsx scripts/make-icon.ts [out.png] [#RRGGBB]`.
 */
import { writeFileSync } from 'node:fs'
import { deflateSync } from 'node:zlib'

const SIZE = 230

/** CRC-32 of PNG chunks (ISO 3309). */
function crc32(bytes: Buffer): number {
  let c = ~0
  for (const b of bytes) {
    c ^= b
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1
  }
  return ~c >>> 0
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8)
  head.writeUInt32BE(data.length, 0)
  head.write(type, 4, 'ascii')
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0)
  return Buffer.concat([head, data, crc])
}

/** True where the mark is white: two brackets `[ ]` and a centre dot, inside the central 160 px. */
function isMark(x: number, y: number): boolean {
  const cx = SIZE / 2
  const cy = SIZE / 2
  const top = 45
  const bottom = SIZE - 45
  const stroke = 18
  const inBracket = (left: number, dir: 1 | -1) => {
    const outer = left
    const inner = left + dir * stroke
    const within = dir === 1 ? x >= outer && x < inner : x <= outer && x > inner
    const spine = within && y >= top && y < bottom
    const armEnd = left + dir * 45
    const armX = dir === 1 ? x >= outer && x < armEnd : x <= outer && x > armEnd
    const arms = armX && ((y >= top && y < top + stroke) || (y < bottom && y >= bottom - stroke))
    return spine || arms
  }
  const dot = (x - cx) ** 2 + (y - cy) ** 2 <= 26 ** 2
  return inBracket(35, 1) || inBracket(SIZE - 36, -1) || dot
}

/** Encodes the icon as an RGB PNG. */
export function drawIcon(brand = '#da3b01'): Buffer {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(brand.slice(i, i + 2), 16)) as [number, number, number]
  const rows = Buffer.alloc(SIZE * (1 + SIZE * 3))
  for (let y = 0; y < SIZE; y++) {
    const row = y * (1 + SIZE * 3)
    rows[row] = 0 // filter: none
    for (let x = 0; x < SIZE; x++) {
      const white = isMark(x, y)
      rows.set(white ? [255, 255, 255] : [r, g, b], row + 1 + x * 3)
    }
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(SIZE, 0)
  header.writeUInt32BE(SIZE, 4)
  header.set([8, 2, 0, 0, 0], 8) // 8-bit RGB, deflate, no filter, no interlace
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
  return Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', deflateSync(rows, { level: 9 })), chunk('IEND', Buffer.alloc(0))])
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const out = process.argv[2] ?? 'assets/icon.png'
  const png = drawIcon(process.argv[3])
  writeFileSync(out, png)
  console.log(`${out}: ${png.length} bytes, ${SIZE}x${SIZE}`)
}
