import COpenBLAS

/// Matrix products through OpenBLAS; every dense layer's forward and backward pass lands here.
public enum BLAS {
  /// `c = alpha * op(a) * op(b) + beta * c` on row-major matrices.
  ///
  /// - Parameters:
  ///   - m, n, k: `op(a)` is m x k, `op(b)` is k x n, `c` is m x n.
  ///   - transposeA, transposeB: use the transpose of the stored matrix.
  ///   - lda, ldb, ldc: row strides of the stored matrices.
  @inlinable
  public static func gemm(
    transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int,
    alpha: Float = 1, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    if m == 0 || n == 0 { return }
    cblas_sgemm(
      CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
      Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
  }

  /// `y = x W` for one row x (k) and a row-major W (k, n): the product without packing W,
  /// which is what a single-row call needs.
  @inlinable
  public static func rowTimesMatrix(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, k: Int, n: Int, into y: UnsafeMutablePointer<Float>) {
    if n == 0 { return }
    cblas_sgemv(CblasRowMajor, CblasTrans, Int32(k), Int32(n), 1, w, Int32(n), x, 1, 0, y, 1)
  }

  /// Number of threads OpenBLAS uses; results are bit-identical for a fixed thread count.
  public static var threads: Int {
    get { Int(openblas_get_num_threads()) }
    set { openblas_set_num_threads(Int32(max(1, newValue))) }
  }
}
