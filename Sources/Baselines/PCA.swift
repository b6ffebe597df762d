import COpenBLAS
import Tensor

/// Principal component analysis: the linear baseline every nonlinear autoencoder must beat.
///
/// Fits the mean and the top-k eigenvectors of the covariance matrix (accumulated in double
/// precision with `dsyrk`, decomposed with LAPACK's `dsyevd`). Same result as
/// `sklearn.decomposition.PCA(n_components=k)` up to the signs of the components.
public struct PCA {
  /// Per-feature mean (d).
  public let mean: [Float]
  /// Components as columns of a (d, k) row-major matrix, largest variance first.
  public let components: [Float]
  /// Variance along each component (k).
  public let explainedVariance: [Double]
  public let width: Int
  public let componentCount: Int

  public struct Failure: Error, CustomStringConvertible {
    public let description: String
  }

  /// Fit `components` principal components to the rows of `data` (n, d).
  public init(fitting data: Tensor, components k: Int) throws {
    let n = data.rows, d = data.cols
    guard n >= 2 else { throw Failure(description: "PCA needs at least 2 rows, got \(n)") }
    guard k >= 1 && k <= d else { throw Failure(description: "PCA components must be in 1...\(d), got \(k)") }
    var mean = [Double](repeating: 0, count: d)
    for r in 0..<n {
      let row = data.row(r)
      for j in 0..<d { mean[j] += Double(row[j]) }
    }
    for j in 0..<d { mean[j] /= Double(n) }

    // Covariance (upper triangle), in chunks of centred rows.
    var covariance = [Double](repeating: 0, count: d * d)
    let chunk = 1024
    var centred = [Double](repeating: 0, count: chunk * d)
    var start = 0
    while start < n {
      let rows = min(chunk, n - start)
      for r in 0..<rows {
        let row = data.row(start + r)
        for j in 0..<d { centred[r * d + j] = Double(row[j]) - mean[j] }
      }
      cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, Int32(d), Int32(rows), 1 / Double(n - 1),
                  centred, Int32(d), 1, &covariance, Int32(d))
      start += rows
    }

    // Eigen-decomposition. LAPACK is column-major: the row-major upper triangle is its lower one.
    var eigenvalues = [Double](repeating: 0, count: d)
    var info: Int32 = 0
    var n32 = Int32(d), lwork: Int32 = -1, liwork: Int32 = -1
    var workSize = 0.0, iworkSize: Int32 = 0
    let jobz = Int8(UInt8(ascii: "V")), uplo = Int8(UInt8(ascii: "L"))
    withUnsafePointer(to: jobz) { j in
      withUnsafePointer(to: uplo) { u in
        dsyevd_(j, u, &n32, &covariance, &n32, &eigenvalues, &workSize, &lwork, &iworkSize, &liwork, &info)
        lwork = Int32(workSize)
        liwork = iworkSize
        var work = [Double](repeating: 0, count: Int(lwork))
        var iwork = [Int32](repeating: 0, count: Int(liwork))
        dsyevd_(j, u, &n32, &covariance, &n32, &eigenvalues, &work, &lwork, &iwork, &liwork, &info)
      }
    }
    guard info == 0 else { throw Failure(description: "the eigen-decomposition failed (LAPACK dsyevd info \(info))") }

    // Eigenvectors come back as columns in column-major order, i.e. rows here, ascending.
    var components = [Float](repeating: 0, count: d * k)
    for c in 0..<k {
      let source = d - 1 - c
      for j in 0..<d { components[j * k + c] = Float(covariance[source * d + j]) }
    }
    self.mean = mean.map(Float.init)
    self.components = components
    self.explainedVariance = (0..<k).map { eigenvalues[d - 1 - $0] }
    self.width = d
    self.componentCount = k
  }

  /// The rows' coordinates on the components (n, k): centred rows (n, d) times the
  /// components (d, k), as scikit-learn's `PCA.transform`.
  public func project(_ data: Tensor) -> Tensor {
    precondition(data.cols == width, "PCA fitted on \(width) features, data has \(data.cols)")
    let n = data.rows, d = width, k = componentCount
    let centred = data.copy()
    for r in 0..<n {
      let row = centred.row(r)
      for j in 0..<d { row[j] -= mean[j] }
    }
    let codes = Tensor(rows: n, cols: k)
    BLAS.gemm(m: n, n: k, k: d, a: centred.data, lda: d, b: components, ldb: k, c: codes.data, ldc: k)
    return codes
  }

  /// Project rows (n, d) onto the components (n, k) and back (n, d).
  public func reconstruct(_ data: Tensor) -> Tensor {
    let n = data.rows, d = width, k = componentCount
    let codes = project(data)
    let result = Tensor(rows: n, cols: d)
    BLAS.gemm(transposeB: true, m: n, n: d, k: k, a: codes.data, lda: k, b: components, ldb: k, c: result.data, ldc: d)
    for r in 0..<n {
      let row = result.row(r)
      for j in 0..<d { row[j] += mean[j] }
    }
    return result
  }

  /// Mean squared reconstruction error per value.
  public func meanSquaredError(_ data: Tensor) -> Double {
    let reconstruction = reconstruct(data)
    var sum = 0.0
    for i in 0..<data.count {
      let e = Double(data.data[i] - reconstruction.data[i])
      sum += e * e
    }
    return sum / Double(max(data.count, 1))
  }
}
