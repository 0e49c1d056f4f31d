// Typed-array rows for a matrix being read, allocated in blocks.

import type { ValueRow } from './types.ts';

/**
 * Hands out rows as views into shared 4 MB blocks (tens of thousands of small separate typed arrays would
 * each need their own allocation and GC bookkeeping). current() is the row being filled; take() keeps it.
 */
export class RowPool {
  private block: ValueRow;
  private offset = 0;
  private row: ValueRow;
  private readonly rowsPerBlock: number;

  constructor(
    private readonly integer: boolean,
    private readonly width: number,
  ) {
    this.rowsPerBlock = Math.max(1, Math.floor((4 << 20) / (4 * Math.max(1, width))));
    this.block = this.newBlock();
    this.row = this.view();
  }

  current(): ValueRow {
    return this.row;
  }

  take(): ValueRow {
    const taken = this.row;
    this.offset += this.width;
    if (this.offset + this.width > this.block.length) {
      this.block = this.newBlock();
      this.offset = 0;
    }
    this.row = this.view();
    return taken;
  }

  private newBlock(): ValueRow {
    const length = this.rowsPerBlock * this.width;
    return this.integer ? new Uint32Array(length) : new Float32Array(length);
  }

  private view(): ValueRow {
    return this.block.subarray(this.offset, this.offset + this.width);
  }
}
