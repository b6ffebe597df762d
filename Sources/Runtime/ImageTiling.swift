#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where model-sized tiles sit on an image of any size, and how their seams are blended.
///
/// Along each axis, tiles of `tile` values start every `stride` (3/4 of a tile, so neighbours
/// overlap by a quarter) and the last one sits flush with the far edge. An axis shorter than a
/// tile has one tile at 0 whose values past the edge repeat the edge value (replicate padding);
/// only the part inside the image is kept.
public struct TileAxis: Equatable, Sendable {
  /// The image's size along the axis, and the model's tile size.
  public let size: Int
  public let tile: Int
  /// Where each tile starts, increasing; the last one is `max(0, size - tile)`.
  public let starts: [Int]

  public init(size: Int, tile: Int) {
    precondition(size >= 1 && tile >= 1)
    self.size = size
    self.tile = tile
    guard size > tile else {
      starts = [0]
      return
    }
    let stride = max(1, tile * 3 / 4)
    var starts = Array(Swift.stride(from: 0, to: size - tile, by: stride))
    starts.append(size - tile)
    self.starts = starts
  }

  /// The image index of a tile's `offset`-th value: clamped to the image (replicate padding).
  @inline(__always)
  public func source(_ start: Int, _ offset: Int) -> Int { min(start + offset, size - 1) }

  /// The blending weight of a tile's `offset`-th value: a raised cosine, sin^2(pi (i + 1/2) / tile),
  /// largest in the middle and small but never 0 at the edges, so every covered pixel has a
  /// positive total weight and seams fade from one tile into the next.
  public func weight(_ offset: Int) -> Float {
    let phase = Double.pi * (Double(offset) + 0.5) / Double(tile)
    let s = sin(phase)
    return Float(s * s)
  }
}
