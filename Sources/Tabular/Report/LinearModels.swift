#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// The learners behind TSTR and TRTR: small, deterministic and easy to check.

/// Ridge regression: least squares with an L2 penalty on every weight but the intercept
/// (input 0), solved exactly through the normal equations.
struct RidgeRegression {
  static let penalty = 1.0
  let weights: [Double]

  /// Fit to `inputs` (rows x width, row by row, column 0 the constant 1) and `targets`.
  init(inputs: [Double], width: Int, targets: [Double]) throws {
    var gram = [Double](repeating: 0, count: width * width), moments = [Double](repeating: 0, count: width)
    for row in targets.indices {
      let x = inputs[(row * width)..<((row + 1) * width)]
      for i in 0..<width {
        let xi = x[x.startIndex + i]
        guard xi != 0 else { continue }
        moments[i] += xi * targets[row]
        for j in 0..<width { gram[i * width + j] += xi * x[x.startIndex + j] }
      }
    }
    for i in 1..<width { gram[i * width + i] += Self.penalty }
    guard let solution = choleskySolve(gram, moments, size: width) else {
      throw TabularError("the regression model for TSTR could not be fitted (its equations are singular); check the target and the other columns")
    }
    weights = solution
  }

  func predict(_ inputs: [Double], width: Int) -> [Double] {
    (0..<(inputs.count / width)).map { row in (0..<width).reduce(0) { $0 + inputs[row * width + $1] * weights[$1] } }
  }
}

/// Multinomial logistic regression with a small L2 penalty (not on the intercepts), fitted by
/// a fixed number of accelerated (Nesterov) gradient steps of size 1/L, where L bounds the
/// loss's curvature: the mean squared input norm / 2 (softmax's Hessian is at most I/2).
struct SoftmaxRegression {
  static let penalty = 1e-4
  static let steps = 300
  let classes: Int
  /// width x classes, row by row.
  let weights: [Double]

  init(inputs: [Double], width: Int, labels: [Int], classes: Int) {
    let rows = labels.count
    let meanSquaredNorm = inputs.reduce(0) { $0 + $1 * $1 } / Double(max(rows, 1))
    let stepSize = 1 / (meanSquaredNorm / 2 + Self.penalty)
    var weights = [Double](repeating: 0, count: width * classes), previous = weights
    var gradient = weights, probabilities = [Double](repeating: 0, count: classes)
    for step in 1...Self.steps {
      // Look ahead along the momentum, then take a gradient step from there.
      let momentum = Double(step - 1) / Double(step + 2)
      let lookahead = zip(weights, previous).map { $0 + momentum * ($0 - $1) }
      for i in gradient.indices { gradient[i] = i >= classes ? Self.penalty * lookahead[i] : 0 }
      for row in 0..<rows {
        let x = row * width
        Self.softmax(inputs, at: x, width: width, weights: lookahead, classes: classes, into: &probabilities)
        probabilities[labels[row]] -= 1
        for i in 0..<width where inputs[x + i] != 0 {
          let scaled = inputs[x + i] / Double(rows)
          for c in 0..<classes { gradient[i * classes + c] += scaled * probabilities[c] }
        }
      }
      previous = weights
      weights = zip(lookahead, gradient).map { $0 - stepSize * $1 }
    }
    self.classes = classes
    self.weights = weights
  }

  /// The most probable class of each row.
  func predict(_ inputs: [Double], width: Int) -> [Int] {
    var probabilities = [Double](repeating: 0, count: classes)
    return (0..<(inputs.count / width)).map { row in
      Self.softmax(inputs, at: row * width, width: width, weights: weights, classes: classes, into: &probabilities)
      return probabilities.indices.max { probabilities[$0] < probabilities[$1] } ?? 0
    }
  }

  /// Class probabilities for the row starting at `offset`.
  static func softmax(_ inputs: [Double], at offset: Int, width: Int, weights: [Double], classes: Int, into probabilities: inout [Double]) {
    for c in 0..<classes { probabilities[c] = 0 }
    for i in 0..<width where inputs[offset + i] != 0 {
      let x = inputs[offset + i]
      for c in 0..<classes { probabilities[c] += x * weights[i * classes + c] }
    }
    let largest = probabilities.max() ?? 0
    var total = 0.0
    for c in 0..<classes { probabilities[c] = exp(probabilities[c] - largest); total += probabilities[c] }
    for c in 0..<classes { probabilities[c] /= total }
  }
}

/// Solve the symmetric positive definite system a x = b (a is size x size, row by row);
/// nil when a is not positive definite.
func choleskySolve(_ a: [Double], _ b: [Double], size n: Int) -> [Double]? {
  var l = [Double](repeating: 0, count: n * n)
  for i in 0..<n {
    for j in 0...i {
      var sum = a[i * n + j]
      for k in 0..<j { sum -= l[i * n + k] * l[j * n + k] }
      if i == j {
        guard sum > 0, sum.isFinite else { return nil }
        l[i * n + i] = sum.squareRoot()
      } else {
        l[i * n + j] = sum / l[j * n + j]
      }
    }
  }
  var y = b
  for i in 0..<n {
    for k in 0..<i { y[i] -= l[i * n + k] * y[k] }
    y[i] /= l[i * n + i]
  }
  for i in stride(from: n - 1, through: 0, by: -1) {
    for k in (i + 1)..<n { y[i] -= l[k * n + i] * y[k] }
    y[i] /= l[i * n + i]
  }
  return y
}
