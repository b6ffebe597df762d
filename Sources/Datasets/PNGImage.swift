import CPNGShim
import Foundation
import Tensor

/// An 8-bit grey or RGB picture read from or written to a PNG file through libpng: height x
/// width x channels bytes, rows top to bottom, channels fastest.
public struct PNGImage: Sendable {
  public let height: Int, width: Int
  /// 1 (grey) or 3 (RGB).
  public let channels: Int
  public var pixels: [UInt8]

  /// Largest side and pixel count `read` accepts: a hostile header cannot make it allocate more.
  public static let maxSide = 1 << 15
  public static let maxPixels = 1 << 28
  /// Largest PNG file read (a regular file only: a FIFO or device is refused, not waited on).
  public static let maxFileSize = 1 << 30

  public init(height: Int, width: Int, channels: Int, pixels: [UInt8]) {
    self.height = height
    self.width = width
    self.channels = channels
    self.pixels = pixels
  }

  /// Read a PNG file as 8-bit grey or RGB: 16-bit samples are scaled to 8 bits, palettes become
  /// RGB, low bit depths 8 bits, and an alpha channel is dropped. A truncated or corrupt file
  /// is a `DataError`, never a crash.
  public static func read(_ path: String) throws -> PNGImage {
    let bytes: [UInt8]
    do { bytes = try RegularFile.read(path, limit: maxFileSize) } catch { throw DataError("\(error)") }
    var message = [CChar](repeating: 0, count: 512)
    var data: UnsafeMutablePointer<UInt8>?
    var width: UInt32 = 0, height: UInt32 = 0, channels: UInt32 = 0
    let status = aepng_read8(bytes, bytes.count, path, UInt32(maxSide), UInt64(maxPixels), &data, &width, &height, &channels,
                             &message, message.count)
    guard status == 0, let data else { throw DataError(String(cString: message)) }
    defer { free(data) }
    let count = Int(width) * Int(height) * Int(channels)
    return PNGImage(height: Int(height), width: Int(width), channels: Int(channels),
                    pixels: Array(UnsafeBufferPointer(start: data, count: count)))
  }

  /// Values as bytes: each rounded to the nearest whole number and clipped to 0...255 (NaN to 0).
  public init(height: Int, width: Int, channels: Int, values: UnsafeBufferPointer<Float>) {
    self.init(height: height, width: width, channels: channels,
              pixels: values.map { $0.isNaN ? 0 : UInt8(min(max(($0 + 0.5).rounded(.down), 0), 255)) })
  }

  /// Write the picture as an 8-bit PNG, atomically.
  public func write(to path: String) throws {
    guard width > 0, height > 0, width <= PNGImage.maxSide, height <= PNGImage.maxSide, channels == 1 || channels == 3,
          pixels.count == width * height * channels else {
      throw DataError("\(path): a picture of \(width)x\(height)x\(channels) cannot be written as a PNG (1 or 3 channels, sides up to \(PNGImage.maxSide))")
    }
    try writeAtomically(to: path) { temporary in
      var message = [CChar](repeating: 0, count: 256)
      let status = aepng_write8(temporary, UInt32(width), UInt32(height), UInt32(channels), pixels, &message, message.count)
      guard status == 0 else { throw DataError(String(cString: message).replacingOccurrences(of: temporary, with: path)) }
    }
  }
}
