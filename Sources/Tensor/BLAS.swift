import CGemm
import COpenBLAS
#if canImport(Glibc)
import Glibc
#endif

/// Matrix products; every dense layer's forward and backward pass lands here.
///
/// Two paths: the library's own AVX-512 kernels (CGemm) on CPUs that have AVX-512, and
/// OpenBLAS elsewhere or when chosen (`AE_GEMM=openblas`, `BLAS.usesOwnKernels = false`).
/// Debian's OpenBLAS 0.3.21 runs half-width AVX2 kernels on some AVX-512 CPUs (issue 14).
/// On the own path every product's entry is one chain of additions in a fixed order, so
/// results do not depend on the batch's size or how rows are split among threads; that holds
/// for products with a transposed B too (the input gradient in training, a transposed
/// convolution's forward pass), which the own kernels copy a strip at a time.
public enum BLAS {
  /// Whether products run on the library's own kernels. Setting it to true is a no-op on a
  /// CPU without AVX-512. Set it between computations, never during one.
  public static var usesOwnKernels: Bool {
    get { aegemm_enabled() != 0 }
    set { _ = aegemm_use(newValue ? 1 : 0) }
  }

  /// The kernels products run on here, for benches and reports: "avx512 (own)" or
  /// "openblas <core>".
  public static var kernelDescription: String {
    if usesOwnKernels { return "\(String(cString: aegemm_isa())) (own)" }
    return "openblas \(String(cString: openblas_get_corename()))"
  }

  /// `c = alpha * op(a) * op(b) + beta * c` on row-major matrices; `team` splits it over its
  /// threads on the own path.
  ///
  /// - Parameters:
  ///   - m, n, k: `op(a)` is m x k, `op(b)` is k x n, `c` is m x n.
  ///   - transposeA, transposeB: use the transpose of the stored matrix.
  ///   - lda, ldb, ldc: row strides of the stored matrices.
  @inlinable
  public static func gemm(
    transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int,
    alpha: Float = 1, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int, team: Team? = nil
  ) {
    if m == 0 || n == 0 { return }
    if alpha == 1 && (beta == 0 || beta == 1) && usesOwnKernels {
      aegemm_team_run(team?.team, m, n, k, a, transposeA ? 1 : lda, transposeA ? lda : 1, b,
                      transposeB ? AEGEMM_FLOAT32_TRANSPOSED : AEGEMM_FLOAT32, ldb, c, ldc, beta == 1 ? 1 : 0, nil,
                      AEGEMM_LINEAR)
      return
    }
    cblas_sgemm(
      CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
      Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
  }

  /// Threads that split one product at a time (see aegemm_team_run): a single row's layers use
  /// every core. Used by one thread at a time; results equal the one-thread ones bit for bit.
  public final class Team: @unchecked Sendable {
    @usableFromInline let team: OpaquePointer

    /// A team of `threads` (2 to 256), or nil when the products do not run on the own kernels
    /// (OpenBLAS has threads of its own) or a thread could not be started.
    public init?(threads: Int) {
      guard usesOwnKernels, (2...256).contains(threads), let team = aegemm_team_create(Int32(threads)) else { return nil }
      self.team = team
    }

    deinit { aegemm_team_free(team) }

    public var threads: Int { Int(aegemm_team_threads(team)) }

    /// `body(context, share, shares)` for share in 0..<shares, split over the team's threads
    /// (all on the caller when the team is busy). For element-wise work that gives the same
    /// bits however it is split. A C function and a pointer, not a closure: nothing allocated.
    public func each(
      shares: Int, context: UnsafeMutableRawPointer,
      _ body: @convention(c) (UnsafeMutableRawPointer?, Int32, Int32) -> Void
    ) {
      aegemm_team_each(team, Int32(shares), body, context)
    }
  }

  /// The threads training's products split over on the own kernels: as many as `threads`
  /// (the count `ae train --threads` sets; nil at 1 or on OpenBLAS), made when first asked
  /// for at that count. Any thread may use it: a product that finds it busy with another
  /// thread's runs alone. The runtime never uses it (workspaces have teams of their own).
  public static var trainingTeam: Team? {
    let count = threads
    guard count > 1, usesOwnKernels else { return nil }
    pthread_mutex_lock(sharedLock)
    defer { pthread_mutex_unlock(sharedLock) }
    if let team = sharedTeam, team.threads == count { return team }
    sharedTeam = Team(threads: count)
    return sharedTeam
  }

  nonisolated(unsafe) private static var sharedTeam: Team?
  nonisolated(unsafe) private static let sharedLock: UnsafeMutablePointer<pthread_mutex_t> = {
    let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    pthread_mutex_init(lock, nil)
    return lock
  }()

  /// What follows an affine product in the same pass (the activations the kernels fuse).
  public enum Epilogue {
    case none, relu, leakyRelu
  }

  /// `y = epilogue(x W + b)` for `rows` rows: x (rows, k), a row-major W (k, n), b (n),
  /// y (rows, n). A dense layer's forward pass, with bias and activation fused into the
  /// product on the own path. `leakyRelu`'s slope is 0.01. `team` splits the product over
  /// its threads (own path only).
  ///
  /// `packed`: the same W packed by `pack` (float32, or bfloat16 when W's values are
  /// bfloat16 values): the own path streams that, with results equal to reading W bit for
  /// bit; OpenBLAS reads W. Or W quantized to int8 (`PackedKernel(int8:)`): then the int8
  /// product runs, on every CPU (CGemmInt8.h), and W is not read.
  @inlinable
  public static func affine(
    _ x: UnsafePointer<Float>, rows: Int, weights w: UnsafePointer<Float>, packed: PackedKernel? = nil,
    bias: UnsafePointer<Float>, k: Int, n: Int, epilogue: Epilogue, team: Team? = nil, into y: UnsafeMutablePointer<Float>
  ) {
    if rows == 0 || n == 0 { return }
    let fused = switch epilogue { case .none: AEGEMM_LINEAR case .relu: AEGEMM_RELU case .leakyRelu: AEGEMM_LEAKY_RELU }
    if let int8 = packed?.int8 {
      // Every CPU: VNNI or portable kernels, the same bits (CGemmInt8.h).
      aegemm_int8_team_run(team?.team, rows, x, k, int8.quantizedRows, int8.rowScales, int8.rowZeros, int8.weights, y, n,
                           bias, fused)
      return
    }
    if usesOwnKernels {
      if let packed {
        aegemm_team_run(team?.team, rows, n, k, x, k, 1, packed.values, packed.format, 0, y, n, 0, bias, fused)
      } else {
        aegemm_team_run(team?.team, rows, n, k, x, k, 1, w, AEGEMM_FLOAT32, n, y, n, 0, bias, fused)
      }
      return
    }
    if rows == 1 {
      // One row: the product without packing W.
      cblas_sgemv(CblasRowMajor, CblasTrans, Int32(k), Int32(n), 1, w, Int32(n), x, 1, 0, y, 1)
    } else {
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(rows), Int32(n), Int32(k), 1, x, Int32(k), w, Int32(n), 0, y, Int32(n))
    }
    for r in 0..<rows {
      let row = y + r * n
      for j in 0..<n { row[j] += bias[j] }
      switch epilogue {
      case .none: break
      case .relu: VectorMath.relu(row, count: n)
      case .leakyRelu:
        for j in 0..<n { row[j] = row[j] > 0 ? row[j] : row[j] * 0.01 }
      }
    }
  }

  /// A kernel W packed for the own kernels (panels of 32 columns), as `affine` reads it; or
  /// quantized to int8 (`int8`), with the scratch its product quantizes the rows into.
  public struct PackedKernel: @unchecked Sendable {
    public let values: UnsafeRawPointer
    @usableFromInline let format: Int32
    @usableFromInline let int8: Int8Product?

    public init(values: UnsafeRawPointer, bfloat16: Bool) {
      self.values = values
      format = bfloat16 ? AEGEMM_BFLOAT16_PANELS : AEGEMM_FLOAT32_PANELS
      int8 = nil
    }

    public init(int8: Int8Product) {
      values = UnsafeRawPointer(int8.weights)
      format = -1
      self.int8 = int8
    }
  }

  /// An int8 kernel (aegemm_int8_pack) and scratch for the rows of one product: `rows` rows
  /// of `int8RowBytes(k)` bytes, and a scale and a zero point per row.
  public struct Int8Product {
    @usableFromInline let weights: UnsafePointer<aegemm_int8_weights>
    @usableFromInline let quantizedRows: UnsafeMutablePointer<UInt8>
    @usableFromInline let rowScales: UnsafeMutablePointer<Float>
    @usableFromInline let rowZeros: UnsafeMutablePointer<Int32>

    public init(weights: UnsafePointer<aegemm_int8_weights>, quantizedRows: UnsafeMutablePointer<UInt8>,
                rowScales: UnsafeMutablePointer<Float>, rowZeros: UnsafeMutablePointer<Int32>) {
      self.weights = weights
      self.quantizedRows = quantizedRows
      self.rowScales = rowScales
      self.rowZeros = rowZeros
    }
  }

  /// Bytes a row of k inputs takes quantized for an int8 product.
  public static func int8RowBytes(k: Int) -> Int { aegemm_int8_row_bytes(k) }

  /// The kernels int8 products run on here: "avx512-vnni" or "portable".
  public static var int8KernelDescription: String { String(cString: aegemm_int8_isa()) }

  /// Whether int8 products use VNNI (where the CPU has it; tests compare both paths). Set it
  /// between computations, never during one.
  public static var int8UsesVNNI: Bool {
    get { int8KernelDescription == "avx512-vnni" }
    set { _ = aegemm_int8_use_vnni(newValue ? 1 : 0) }
  }

  /// Values (floats, or bfloat16s) a packed W of k x n takes.
  public static func packedCount(k: Int, n: Int) -> Int { aegemm_packed_count(k, n) }

  /// Row-major W (k x n) packed into `packed` (`packedCount` values): float32, or bfloat16
  /// (the top halves of W's floats: W's values must be bfloat16 values).
  public static func pack(_ w: UnsafePointer<Float>, k: Int, n: Int, bfloat16: Bool, into packed: UnsafeMutableRawPointer) {
    aegemm_pack(w, k, n, bfloat16 ? AEGEMM_BFLOAT16_PANELS : AEGEMM_FLOAT32_PANELS, packed)
  }

  /// Number of threads OpenBLAS uses; results are bit-identical for a fixed thread count.
  public static var threads: Int {
    get { Int(openblas_get_num_threads()) }
    set { openblas_set_num_threads(Int32(max(1, newValue))) }
  }
}
