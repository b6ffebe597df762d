import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// `ae plot`: every --what on tiny models, each output parsed (SVG as XML, PNG chunk by chunk),
/// and the refusals.
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
    #expect(count(histogram, "path", class: "series") == 2)
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
    let size = try #require(try pngSize(directory + "/recon.png"))
    #expect(size.width == 6 * (14 * 2 + 2) + 2 && size.height == 2 * (14 * 2 + 2) + 2)
  }

  @Test func samplesOfAVAEAreAPNGGrid() throws {
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let plain = try cli.blobCSV()
    let vae = directory + "/v.h5"
    #expect(try cli.ae("train", "--model", "vae", "--layers", "16,2", "--epochs", "3", "--data", plain, "--out", vae, "--quiet").status == 0)
    let run = try cli.ae("plot", vae, "--what", "samples", "--data", plain, "--image-shape", "14x14", "--count", "8", "--columns", "4",
                         "--zoom", "1", "--out", directory + "/samples.png")
    #expect(run.status == 0, "\(run.stderr)")
    let size = try #require(try pngSize(directory + "/samples.png"))
    #expect(size.width == 4 * (14 + 2) + 2 && size.height == 2 * (14 + 2) + 2)
    #expect(try cli.ae("plot", vae, "--what", "latent", "--data", plain, "--out", directory + "/latent.svg").status == 0)
    let latent = try #require(try svgElements(directory + "/latent.svg"))
    #expect(latent.contains { $0.text == "code 1" } && latent.contains { $0.text == "code 2" })
    // interpolation: one strip, the --from row, 5 decoded images, the --to row.
    let strip = try cli.ae("plot", vae, "--what", "interpolation", "--data", plain, "--image-shape", "14x14", "--from", "2", "--to", "7",
                           "--count", "5", "--zoom", "1", "--out", directory + "/path.png")
    #expect(strip.status == 0, "\(strip.stderr)")
    let stripSize = try #require(try pngSize(directory + "/path.png"))
    #expect(stripSize.width == 7 * (14 + 2) + 2 && stripSize.height == 14 + 2 + 2)
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
