import CPNGShim
import Foundation
import Tensor

/// Grayscale picture grids: rows of images side by side, written as PNG through libpng.
public enum ImageGrid {
  /// Write `rows` of images as one PNG, each image `height` x `width`, with a 2-pixel gap.
  ///
  /// Values in `range` map to black...white; anything outside is clipped. `zoom` repeats each
  /// pixel zoom x zoom times, so small images stay visible.
  public static func writePNG(
    rows: [Tensor], height: Int, width: Int, range: ClosedRange<Float>, zoom: Int = 1, to path: String
  ) throws {
    let zoom = max(1, zoom)
    let gap = 2
    let columns = rows.map(\.rows).max() ?? 0
    guard columns > 0, height > 0, width > 0, rows.allSatisfy({ $0.cols == height * width }) else {
      throw DataError("\(path): nothing to draw, or images are not \(height)x\(width)")
    }
    let cellHeight = height * zoom, cellWidth = width * zoom
    let pictureWidth = columns * (cellWidth + gap) + gap
    let pictureHeight = rows.count * (cellHeight + gap) + gap
    var pixels = [UInt8](repeating: 40, count: pictureWidth * pictureHeight)
    let span = max(range.upperBound - range.lowerBound, .leastNormalMagnitude)
    for (r, images) in rows.enumerated() {
      for c in 0..<images.rows {
        let image = images.row(c)
        for y in 0..<cellHeight {
          for x in 0..<cellWidth {
            let v = (image[(y / zoom) * width + x / zoom] - range.lowerBound) / span
            let byte = UInt8(min(max(v * 255 + 0.5, 0), 255))
            pixels[(gap + r * (cellHeight + gap) + y) * pictureWidth + gap + c * (cellWidth + gap) + x] = byte
          }
        }
      }
    }
    try writeGray(pixels, width: pictureWidth, height: pictureHeight, to: path)
  }

  /// Write 8-bit gray `pixels` (rows top to bottom) as a PNG, atomically.
  public static func writeGray(_ pixels: [UInt8], width: Int, height: Int, to path: String) throws {
    guard width > 0, height > 0, pixels.count == width * height, width < 1 << 20, height < 1 << 20 else {
      throw DataError("\(path): a picture of \(width)x\(height) pixels cannot be drawn")
    }
    try writeAtomically(to: path) { temporary in
      var message = [CChar](repeating: 0, count: 256)
      let status = aepng_write_gray8(temporary, UInt32(width), UInt32(height), pixels, &message, message.count)
      guard status == 0 else { throw DataError(String(cString: message).replacingOccurrences(of: temporary, with: path)) }
    }
  }
}
