import Datasets
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Tensor
import Testing

/// `ae plot`: every --what on tiny models, each output parsed (SVG as XML, PNG chunk by chunk
/// and decoded through libpng), and the refusals.
@Suite(.serialized) struct PlotCommandTests {
  let cli = CLITests()
  var directory: String { cli.directory }

  /// The elements of an SVG file, parsed as XML (nil when it is not well-formed).
  func svgElements(_ path: String) throws -> [(name: String, attributes: [String: String], text: String)]? {
    final class Collector: NSObject, XMLParserDelegate {
      var elements: [(name: String, attributes: [String: String], text: String)] = []
      var open: [Int] = []
      func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                  attributes: [String: String]) {
        open.append(elements.count)
        elements.append((name, attributes, ""))
      }
      func parser(_ parser: XMLParser, foundCharacters string: String) { if let last = open.last { elements[last].text += string } }
      func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) { open.removeLast() }
    }
    let collector = Collector()
    let parser = XMLParser(data: try Data(contentsOf: URL(fileURLWithPath: path)))
    parser.delegate = collector
    return parser.parse() && collector.elements.first?.name == "svg" ? collector.elements : nil
  }

  func count(_ elements: [(name: String, attributes: [String: String], text: String)], _ name: String, class className: String) -> Int {
    elements.filter { $0.name == name && ($0.attributes["class"] ?? "").split(separator: " ").contains(Substring(className)) }.count
  }

  /// A PNG's width and height, after checking its signature, that every chunk's CRC matches
  /// and that it ends with IEND (nil when any check fails): libpng-free, zlib-free.
  func pngSize(_ path: String) throws -> (width: Int, height: Int)? {
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    guard bytes.count > 33, Array(bytes[0..<8]) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] else { return nil }
    func word(_ at: Int) -> Int { bytes[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
    var at = 8, size: (Int, Int)?, ended = false
    while at + 12 <= bytes.count && !ended {
      let length = word(at), type = String(decoding: bytes[at + 4..<at + 8], as: UTF8.self)
      guard at + 12 + length <= bytes.count, crc32(bytes[at + 4..<at + 8 + length]) == UInt32(word(at + 8 + length)) else { return nil }
      if type == "IHDR" { size = (word(at + 8), word(at + 12)) }
      ended = type == "IEND"
      at += 12 + length
    }
    return ended ? size : nil
  }

  /// A grid PNG of `ae plot` (ae montage's and ae interpolate's drawing), decoded through libpng
  /// (`PNGImage.read`) after `pngSize`'s chunk checks: one grey channel, `cells` images of
  /// `side` x `side` pixels each (the rows' images zoomed) per strip, `strips` strips, the
  /// 2-pixel gaps around them grey 40, and images that are not one flat value.
  func decodedGrid(_ path: String, strips: Int, cells: Int, side: Int, sourceLocation: SourceLocation = #_sourceLocation) throws -> PNGImage {
    let width = cells * (side + 2) + 2, height = strips * (side + 2) + 2
    let size = try #require(try pngSize(path), "\(path): not a well-formed PNG", sourceLocation: sourceLocation)
    #expect(size.width == width && size.height == height, "\(path): \(size)", sourceLocation: sourceLocation)
    let image = try PNGImage.read(path)
    #expect(image.width == width && image.height == height && image.channels == 1,
            "\(path): \(image.width)x\(image.height)x\(image.channels)", sourceLocation: sourceLocation)
    #expect(image.pixels.count == width * height * image.channels, sourceLocation: sourceLocation)
    guard image.width == width, image.height == height, image.channels == 1 else { return image }
    let inGap = { (x: Int, y: Int) in x % (side + 2) < 2 || y % (side + 2) < 2 }
    var gapPixels = Set<UInt8>(), imagePixels = Set<UInt8>()
    for y in 0..<height {
      for x in 0..<width {
        if inGap(x, y) { gapPixels.insert(image.pixels[y * width + x]) } else { imagePixels.insert(image.pixels[y * width + x]) }
      }
    }
    #expect(gapPixels == [40], "\(path): gap pixels \(gapPixels.sorted())", sourceLocation: sourceLocation)
    #expect(imagePixels.count > 10, "\(path): only \(imagePixels.count) distinct values in the images", sourceLocation: sourceLocation)
    for strip in 0..<strips {
      for cell in 0..<cells {
        let values = Set(cellPixels(image, strip: strip, cell: cell, side: side))
        #expect(values.count > 1, "\(path): image \(cell) of strip \(strip) is one flat value", sourceLocation: sourceLocation)
      }
    }
    return image
  }

  /// The pixels of one image of a grid (`side` x `side`, rows top to bottom).
  func cellPixels(_ image: PNGImage, strip: Int, cell: Int, side: Int) -> [UInt8] {
    let top = 2 + strip * (side + 2), left = 2 + cell * (side + 2)
    return (0..<side).flatMap { y in (0..<side).map { x in image.pixels[(top + y) * image.width + left + x] } }
  }

  /// A data row drawn as ae montage draws it: `range` maps to black...white, each value
  /// repeated zoom x zoom times.
  func drawn(_ row: [Float], imageSide: Int, zoom: Int, range: ClosedRange<Float>) -> [UInt8] {
    let side = imageSide * zoom
    return (0..<side).flatMap { y in
      (0..<side).map { x in
        let v = (row[(y / zoom) * imageSide + x / zoom] - range.lowerBound) / (range.upperBound - range.lowerBound)
        return UInt8(min(max(v * 255 + 0.5, 0), 255))
      }
    }
  }

  /// True when two pictures differ by at most one level in every pixel.
  func close(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { abs(Int($0) - Int($1)) <= 1 }
  }

  /// The first `limit` rows of a CSV (all without one) and the range ae montage maps to
  /// black...white for them: from min(0, lowest value) to the highest value of the rows it read.
  func rowsAndRange(_ path: String, limit: Int? = nil) throws -> (rows: [[Float]], range: ClosedRange<Float>) {
    let features = try CSV.read(path).dataset.features
    let rows = (0..<min(limit ?? features.rows, features.rows)).map { r in (0..<features.cols).map { features[r, $0] } }
    let values = rows.flatMap { $0 }
    let low = min(values.min() ?? 0, 0), high = max(values.max() ?? 1, low + 1e-6)
    return (rows, low...high)
  }

  func crc32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
      crc ^= UInt32(byte)
      for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
    }
    return ~crc
  }

  @Test func everyPictureOfADetectorIsDrawnAndParses() throws {
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let plain = try cli.blobCSV()
    let (labeled, labels) = try cli.labeledBlobCSV()
    let model = directory + "/m.h5"
    let train = try cli.ae("train", "--layers", "32,4", "--epochs", "6", "--batch", "32", "--validation", "0.2", "--contamination", "0.1",
                           "--data", plain, "--out", model, "--quiet")
    #expect(train.status == 0, "\(train.stderr)")

    // history: the training and validation loss, a marker per epoch each.
    #expect(try cli.ae("plot", model, "--what", "history", "--out", directory + "/h.svg").status == 0)
    let history = try #require(try svgElements(directory + "/h.svg"))
    #expect(count(history, "path", class: "series") == 2)
    #expect(count(history, "circle", class: "marker") == 12)
    #expect(count(history, "g", class: "legend-entry") == 2)
    #expect(history.contains { $0.text == "validation loss" })
    #expect(try cli.ae("plot", model, "--what", "history", "--log", "--out", directory + "/hl.svg").status == 0)
    #expect(try svgElements(directory + "/hl.svg") != nil)

    // latent: 4-d codes by PCA, a point per row, a legend entry per class present.
    let latent = try cli.ae("plot", model, "--what", "latent", "--data", labeled, "--label-column", "label", "--out", directory + "/l.svg")
    #expect(latent.status == 0, "\(latent.stderr)")
    let scatter = try #require(try svgElements(directory + "/l.svg"))
    #expect(count(scatter, "circle", class: "point") == 200)
    #expect(count(scatter, "g", class: "legend-entry") == Set(labels).count)
    #expect(scatter.contains { $0.text.hasPrefix("principal component 1 (") })
    for label in Set(labels) { #expect(count(scatter, "circle", class: "c\(label)") == labels.filter { $0 == label }.count) }
    // The same labels from a file, and none at all (one colour, no legend).
    try cli.writeInt64NPY(labels, to: directory + "/labels.npy")
    #expect(try cli.ae("plot", model, "--what", "latent", "--data", plain, "--labels", directory + "/labels.npy", "--out", directory + "/l2.svg").status == 0)
    let fromFile = try #require(try svgElements(directory + "/l2.svg"))
    let points = { (elements: [(name: String, attributes: [String: String], text: String)]) in
      elements.filter { $0.name == "circle" }.map { [$0.attributes["class"], $0.attributes["cx"], $0.attributes["cy"]] }
    }
    #expect(points(fromFile) == points(scatter))
    #expect(try cli.ae("plot", model, "--what", "latent", "--data", plain, "--out", directory + "/l3.svg").status == 0)
    let unlabeled = try #require(try svgElements(directory + "/l3.svg"))
    #expect(count(unlabeled, "circle", class: "point") == 200 && count(unlabeled, "g", class: "legend-entry") == 0)

    // scores: normal and anomalous rows apart, the model's threshold as a line.
    let truth = labels.map { $0 == 3 ? 1 : 0 }
    try cli.writeInt64NPY(truth, to: directory + "/truth.npy")
    #expect(try cli.ae("plot", model, "--what", "scores", "--data", plain, "--truth", directory + "/truth.npy", "--out", directory + "/s.svg").status == 0)
    let histogram = try #require(try svgElements(directory + "/s.svg"))
    #expect(count(histogram, "path", class: "series") == 2 && count(histogram, "path", class: "fill") == 2)
    #expect(count(histogram, "line", class: "threshold") == 1)
    #expect(count(histogram, "g", class: "legend-entry") == 3)
    #expect(try cli.ae("plot", model, "--what", "scores", "--data", plain, "--out", directory + "/s1.svg").status == 0)
    #expect(try svgElements(directory + "/s1.svg").map { count($0, "path", class: "series") } == 1)

    // roc: the curve, the diagonal, the threshold's point, and the AUROC ae score prints.
    #expect(try cli.ae("plot", model, "--what", "roc", "--data", plain, "--truth", directory + "/truth.npy", "--out", directory + "/r.svg").status == 0)
    let roc = try #require(try svgElements(directory + "/r.svg"))
    #expect(count(roc, "path", class: "series") == 1 && count(roc, "line", class: "chance") == 1)
    #expect(count(roc, "circle", class: "operating-point") == 1)
    let scored = try cli.ae("score", model, "--data", plain, "--truth", directory + "/truth.npy", "--out", directory + "/scores.csv")
    let figures = try #require(try JSONSerialization.jsonObject(with: Data(scored.stdout.utf8)) as? [String: Any])
    let auroc = try #require(figures["auroc"] as? Double)
    #expect(roc.contains { $0.text == "m.h5 (AUROC \(String(format: "%.3f", auroc)))" }, "\(roc.map(\.text).filter { !$0.isEmpty })")

    // recon: PNG, inputs above reconstructions, as ae montage draws them (6 images of 14x14 at zoom 2, 2-pixel gaps).
    #expect(try cli.ae("plot", model, "--what", "recon", "--data", plain, "--image-shape", "14x14", "--count", "6", "--zoom", "2",
                       "--out", directory + "/recon.png").status == 0)
    let recon = try decodedGrid(directory + "/recon.png", strips: 2, cells: 6, side: 14 * 2)
    // The top strip is the first six data rows themselves; the bottom one their reconstructions.
    // --count 6 reads six rows, so their range is the picture's.
    let (rows, range) = try rowsAndRange(plain, limit: 6)
    for cell in 0..<6 {
      let top = cellPixels(recon, strip: 0, cell: cell, side: 28), bottom = cellPixels(recon, strip: 1, cell: cell, side: 28)
      let isInput = close(top, drawn(rows[cell], imageSide: 14, zoom: 2, range: range)), isCopy = close(bottom, top)
      #expect(isInput, "input \(cell) is not data row \(cell)")
      #expect(!isCopy, "reconstruction \(cell) is its input, pixel for pixel")
    }
  }

  @Test func samplesOfAVAEAreAPNGGrid() throws {
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let plain = try cli.blobCSV()
    let vae = directory + "/v.h5"
    #expect(try cli.ae("train", "--model", "vae", "--layers", "16,2", "--epochs", "3", "--data", plain, "--out", vae, "--quiet").status == 0)
    let run = try cli.ae("plot", vae, "--what", "samples", "--data", plain, "--image-shape", "14x14", "--count", "8", "--columns", "4",
                         "--zoom", "1", "--out", directory + "/samples.png")
    #expect(run.status == 0, "\(run.stderr)")
    let samples = try decodedGrid(directory + "/samples.png", strips: 2, cells: 4, side: 14)
    let drawnSamples = (0..<8).map { cellPixels(samples, strip: $0 / 4, cell: $0 % 4, side: 14) }
    #expect(Set(drawnSamples).count == 8, "two samples are the same picture")
    #expect(try cli.ae("plot", vae, "--what", "latent", "--data", plain, "--out", directory + "/latent.svg").status == 0)
    let latent = try #require(try svgElements(directory + "/latent.svg"))
    #expect(latent.contains { $0.text == "code 1" } && latent.contains { $0.text == "code 2" })
    // interpolation: one strip, the --from row, 5 decoded images, the --to row.
    let strip = try cli.ae("plot", vae, "--what", "interpolation", "--data", plain, "--image-shape", "14x14", "--from", "2", "--to", "7",
                           "--count", "5", "--zoom", "1", "--out", directory + "/path.png")
    #expect(strip.status == 0, "\(strip.stderr)")
    let path = try decodedGrid(directory + "/path.png", strips: 1, cells: 7, side: 14)
    // The ends are rows 2 and 7 as the data has them.
    let (rows, range) = try rowsAndRange(plain)
    let first = close(cellPixels(path, strip: 0, cell: 0, side: 14), drawn(rows[2], imageSide: 14, zoom: 1, range: range))
    let last = close(cellPixels(path, strip: 0, cell: 6, side: 14), drawn(rows[7], imageSide: 14, zoom: 1, range: range))
    #expect(first && last, "the strip's ends are not rows 2 and 7")
    cli.expectUsageError(try cli.ae("plot", vae, "--what", "interpolation", "--data", plain, "--image-shape", "14x14", "--count", "1",
                                    "--out", directory + "/p.png"), mentioning: ["--steps must be at least 2"])
  }

  @Test func mistakesAreRefusedWithOneLine() throws {
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let plain = try cli.blobCSV()
    let model = directory + "/m.h5"
    #expect(try cli.ae("train", "--layers", "16,3", "--epochs", "1", "--data", plain, "--out", model, "--quiet").status == 0)
    cli.expectUsageError(try cli.ae("plot", model, "--what", "history", "--out", directory + "/h.png"), mentioning: ["SVG only", "use .svg"])
    cli.expectUsageError(try cli.ae("plot", model, "--what", "recon", "--data", plain, "--out", directory + "/r.svg"), mentioning: ["use .png"])
    cli.expectUsageError(try cli.ae("plot", model, "--what", "latent", "--out", directory + "/l.svg"), mentioning: ["needs --data"])
    cli.expectUsageError(try cli.ae("plot", model, "--what", "roc", "--data", plain, "--out", directory + "/r.svg"), mentioning: ["needs --truth"])
    cli.expectUsageError(try cli.ae("plot", model, "--what", "pie", "--out", directory + "/p.svg"), mentioning: ["pie"])
    cli.expectUsageError(try cli.ae("plot", model, "--what", "history", "--out", directory), mentioning: ["directory"])
    cli.expectFailure(try cli.ae("plot", model, "--what", "samples", "--data", plain, "--image-shape", "14x14", "--out", directory + "/s.png"),
                      mentioning: ["needs a vae or cvae", "dense"])
    try cli.writeInt64NPY([0, 1, 0], to: directory + "/short.npy")
    cli.expectFailure(try cli.ae("plot", model, "--what", "roc", "--data", plain, "--truth", directory + "/short.npy", "--out", directory + "/r.svg"),
                      mentioning: ["3 truth labels for 200 data rows"])
    try cli.writeInt64NPY([Int](repeating: 0, count: 200), to: directory + "/zeros.npy")
    cli.expectFailure(try cli.ae("plot", model, "--what", "roc", "--data", plain, "--truth", directory + "/zeros.npy", "--out", directory + "/r.svg"),
                      mentioning: ["only one class"])
    #expect(!FileManager.default.fileExists(atPath: directory + "/r.svg"))
  }
}
