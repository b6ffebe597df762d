import Datasets
import Foundation
import Models
import Runtime
import Store
import Tensor
import TestSupport
import Testing

/// Model files of format 1, written by the `ae` of the last format-1 release (commit e7f8dce,
/// Tests/Fixtures/format1/make.sh), still load and give the outputs that `ae` computed with
/// them: bit for bit on the CPU that wrote the fixtures (the same kernels on the same batch
/// shapes at one BLAS thread), so within float32 rounding (`Float32Tolerance`) on any x86-64
/// CPU, whose OpenBLAS may pick other kernels.
@Suite struct FormatOneTests {
  static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../Fixtures/format1").standardized.path

  func fixture(_ name: String) throws -> Tensor { try NPY.read(Self.directory + "/" + name).features }

  @Test(arguments: ["dense", "denoising", "vae", "conv", "cvae"])
  func formatOneModelsGiveTheirOutputs(name: String) throws {
    let path = Self.directory + "/\(name).h5"
    let file = try HDF5Group.open(file: path)
    #expect(try file.integer("format_version") == 1)
    file.close()
    let model = try InferenceModel.load(path: path)
    #expect(model.pipeline.transforms.count == 1)
    // The cvae read its rows and labels from the CSV (values printed to 7 digits).
    let labeled = name == "cvae" ? try CSV.read(Self.directory + "/labeled.csv", labelColumn: "label") : nil
    let data = try labeled?.features ?? fixture("data.npy")
    let labels = labeled?.labels
    let (reconstructed, encoded, sampled) = try BLASThreadCount.exclusiveOne { () throws in
      (try model.reconstruct(data, labels: labels).values,
       labels == nil ? try model.encode(data).values : nil,
       model.canSample ? try model.sample(rows: 10, seed: 5, label: labels == nil ? nil : 2).samples.values : nil)
    }
    let expected = try fixture("\(name).reconstruct.npy").values
    #expect(Float32Tolerance.firstMismatch(reconstructed, expected) == nil)
    if let encoded {
      let expected = try fixture("\(name).encode.npy").values
      #expect(Float32Tolerance.firstMismatch(encoded, expected) == nil)
    }
    if let sampled {
      let expected = try fixture("\(name).sample.npy").values
      #expect(Float32Tolerance.firstMismatch(sampled, expected) == nil)
    }
    // The training model reads it too, and writes it back as format 2 with the same weights.
    let (trained, _) = try ModelFile.load(path)
    #expect(trained.spec == model.spec)
  }
}
