#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Scalar maths the kernels use, in one place so every module calls the same functions.
@usableFromInline func _log(_ x: Double) -> Double { log(x) }
@usableFromInline func _cos(_ x: Double) -> Double { cos(x) }
@usableFromInline func _sin(_ x: Double) -> Double { sin(x) }

/// exp for Float.
@inlinable public func expf32(_ x: Float) -> Float { expf(x) }
/// log(1 + x) for Float, accurate for small x.
@inlinable public func log1pf32(_ x: Float) -> Float { log1pf(x) }
/// log for Float.
@inlinable public func logf32(_ x: Float) -> Float { logf(x) }
/// log for Double.
@inlinable public func logf64(_ x: Double) -> Double { log(x) }
/// x^y for Float.
@inlinable public func powf32(_ x: Float, _ y: Float) -> Float { powf(x, y) }
