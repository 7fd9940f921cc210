import Foundation

/// What `kiln bench` measured, in the shape `--json` writes: the machine, then per model every
/// variant's whole-run latencies over the interleaved rounds and its per-layer medians.
public struct BenchReport: Codable, Sendable {
    public struct MachineInfo: Codable, Sendable {
        public var cpu: String
        public var cores: Int
        public var isa: String
        public var peakGFLOPS: Double
        public var bandwidthGBs: Double

        enum CodingKeys: String, CodingKey {
            case cpu, cores, isa
            case peakGFLOPS = "peak_gflops"
            case bandwidthGBs = "bandwidth_gbs"
        }
    }

    public struct Layer: Codable, Sendable {
        /// The Kiln node's index in the optimized graph (of the first Kiln variant, for onnxruntime).
        public var index: Int
        public var name: String
        /// The kernel-catalog entry; for onnxruntime, its operators (`Conv+QuickGelu`).
        public var kernel: String
        /// The ONNX nodes the Kiln node implements; for onnxruntime, its profiled node names.
        public var onnxNodes: [String]
        public var macs: Int
        public var bytes: Int
        /// Median over the rounds of the per-round medians.
        public var medianUs: Double

        enum CodingKeys: String, CodingKey {
            case index, name, kernel, macs, bytes
            case onnxNodes = "onnx_nodes"
            case medianUs = "median_us"
        }
    }

    /// onnxruntime time that maps to no Kiln node, by its operator.
    public struct Unmapped: Codable, Sendable {
        public var op: String
        public var medianUs: Double
        public var entries: [String]

        enum CodingKeys: String, CodingKey {
            case op, entries
            case medianUs = "median_us"
        }
    }

    public struct Variant: Codable, Sendable {
        public var name: String
        /// `c`, `swift`, or `onnxruntime`.
        public var backend: String
        public var target: String
        public var threads: Int
        /// Images per run (`--batch`); absent means 1.
        public var batch: Int?
        public var medianMs: Double
        public var minMs: Double
        public var roundsMs: [Double]
        public var compileS: Double
        public var binaryBytes: Int
        public var layers: [Layer]
        /// onnxruntime only: profiled time no Kiln node accounts for.
        public var unmapped: [Unmapped]?

        enum CodingKeys: String, CodingKey {
            case name, backend, target, threads, batch, layers, unmapped
            case medianMs = "median_ms"
            case minMs = "min_ms"
            case roundsMs = "rounds_ms"
            case compileS = "compile_s"
            case binaryBytes = "binary_bytes"
        }

        /// Images per second at the median latency.
        public var imagesPerSecond: Double { medianMs > 0 ? Double(batch ?? 1) * 1000 / medianMs : 0 }

        /// The median over rounds of this variant's time over `other`'s in the same round; nil without
        /// rounds in common. Rounds are interleaved, so each pair ran under the same load: on a shared,
        /// noisy machine this is steadier than the ratio of the two medians.
        public func roundRatio(to other: Variant) -> Double? {
            let pairs = zip(roundsMs, other.roundsMs).filter { $0.1 > 0 }
            guard !pairs.isEmpty else { return nil }
            return median(pairs.map { $0.0 / $0.1 })
        }

        /// Each round's time per image over `other`'s in the same round (a variant of N images takes N of them per run);
        /// empty without rounds in common. What "Kiln against onnxruntime" is made of: onnxruntime runs one image.
        public func roundRatiosPerImage(to other: Variant) -> [Double] {
            let mine = Double(max(batch ?? 1, 1)), theirs = Double(max(other.batch ?? 1, 1))
            return zip(roundsMs, other.roundsMs).filter { $0.0 > 0 && $0.1 > 0 }.map { ($0.0 / mine) / ($0.1 / theirs) }
        }

        /// (max − min) / median of the rounds, as a fraction.
        public var spread: Double {
            guard let lo = roundsMs.min(), let hi = roundsMs.max(), medianMs > 0 else { return 0 }
            return (hi - lo) / medianMs
        }
    }

    public struct Model: Codable, Sendable {
        public var model: String
        public var variants: [Variant]
        /// Why onnxruntime was left out, when it was asked for and could not run.
        public var skipped: String?
    }

    public var machine: MachineInfo
    public var models: [Model]

    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }
}

/// The median of `values` (0 for none).
func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return 0 }
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

/// Where a layer stands against the roofline: its bound time over its measured time, and which
/// ceiling binds (the node's bound time is max(2·MACs / peak, bytes / bandwidth)).
public func roofline(macs: Int, bytes: Int, microseconds: Double, machine: BenchReport.MachineInfo,
                     threads: Int = 1) -> (fraction: Double, bound: String) {
    let peak = machine.peakGFLOPS * Double(max(threads, 1)) // one core's FMA units per thread
    let compute = peak > 0 ? 2 * Double(macs) / (peak * 1e3) : 0
    let memory = machine.bandwidthGBs > 0 ? Double(bytes) / (machine.bandwidthGBs * 1e3) : 0
    let bound = max(compute, memory)
    return (microseconds > 0 ? bound / microseconds : 0, compute >= memory ? "compute" : "memory")
}
