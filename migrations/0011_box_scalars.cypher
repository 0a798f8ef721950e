// Store model 6 (src/store/objectBox.ts): an object's box becomes four scalar properties, boxX1, boxY1,
// boxX2 and boxY2, instead of the list `box`. Four numbers fit the object's property records; the
// list of four took a 128-byte record of the array store (~1.2 KB of a 20-object image, BENCHMARKS.md,
// "Store model 6"). Readers build `box: [x1, y1, x2, y2]` from them, so answers are unchanged.
// Safe to run again after an interruption: each object is converted in one write, and only objects
// that still have the list are read.
//
// 1. The box as four numbers.
MATCH (o:Object) WHERE o.box IS NOT NULL
CALL {
  WITH o
  SET o.boxX1 = toFloat(o.box[0]), o.boxY1 = toFloat(o.box[1]), o.boxX2 = toFloat(o.box[2]), o.boxY2 = toFloat(o.box[3])
  REMOVE o.box
} IN TRANSACTIONS OF 10000 ROWS;
// 2. Every image is now in model 6.
MATCH (i:Image) WHERE i.storeModel IS NULL OR i.storeModel < 6
CALL { WITH i SET i.storeModel = 6 } IN TRANSACTIONS OF 10000 ROWS;
