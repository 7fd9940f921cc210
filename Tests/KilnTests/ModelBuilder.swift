import Exporters
import Foundation

/// Test models are written with the exporter's protobuf writer.
typealias ProtoWriter = ProtobufWriter

/// Builds small ONNX models field by field (field numbers from onnx.proto).
struct ModelBuilder {
    var opset: Int64 = 17
    var nodes: [ProtoWriter] = []
    var initializers: [ProtoWriter] = []
    var inputs: [ProtoWriter] = []
    var outputs: [ProtoWriter] = []

    /// A float32 tensor with `raw_data`; `rawByteCount` overrides the data length to make it lie.
    static func tensor(_ name: String, dims: [Int64], values: [Float]? = nil, rawByteCount: Int? = nil,
                       external: [(String, String)]? = nil) -> ProtoWriter {
        var t = ProtoWriter()
        for d in dims { t.int(1, Int(d)) }
        t.int(2, 1)
        t.string(8, name)
        if let external {
            for (k, v) in external { t.message(13) { $0.string(1, k); $0.string(2, v) } }
            t.int(14, 1)
        } else {
            let count = values?.count ?? Int(dims.reduce(1, *))
            var raw = (values ?? [Float](repeating: 0.5, count: count)).withUnsafeBytes { Array($0) }
            if let rawByteCount { raw = Array(raw.prefix(rawByteCount)) + [UInt8](repeating: 0, count: max(0, rawByteCount - raw.count)) }
            t.data(9, raw)
        }
        return t
    }

    /// An int64 tensor with `raw_data` (shapes, pads, axes).
    static func int64s(_ name: String, _ values: [Int64], dims: [Int64]? = nil) -> ProtoWriter {
        var t = ProtoWriter()
        for d in dims ?? [Int64(values.count)] { t.int(1, Int(d)) }
        t.int(2, 7)
        t.string(8, name)
        t.data(9, values.withUnsafeBytes { Array($0) })
        return t
    }

    /// A float32 tensor that declares `dims` but carries no data at all.
    static func dataless(_ name: String, dims: [Int64]) -> ProtoWriter {
        var t = ProtoWriter()
        for d in dims { t.int(1, Int(d)) }
        t.int(2, 1)
        t.string(8, name)
        return t
    }

    /// A float32 value declaration; negative dims are written as the symbolic dimension `batch`.
    static func valueInfo(_ name: String, dims: [Int64]) -> ProtoWriter {
        var v = ProtoWriter()
        v.string(1, name)
        v.message(2) { type in
            type.message(1) { tensor in
                tensor.int(1, 1)
                tensor.message(2) { shape in
                    for d in dims { shape.message(1) { d < 0 ? $0.string(2, "batch") : $0.int(1, Int(d)) } }
                }
            }
        }
        return v
    }

    mutating func node(_ op: String, _ inputs: [String], _ outputs: [String], name: String, domain: String? = nil,
                       ints: [String: [Int64]] = [:]) {
        var n = ProtoWriter()
        for i in inputs { n.string(1, i) }
        for o in outputs { n.string(2, o) }
        n.string(3, name)
        n.string(4, op)
        for (key, values) in ints.sorted(by: { $0.key < $1.key }) {
            n.message(5) { a in
                a.string(1, key)
                for v in values { a.int(8, Int(v)) }
                a.int(20, 7)
            }
        }
        if let domain { n.string(7, domain) }
        nodes.append(n)
    }

    func serialized() -> [UInt8] {
        var graph = ProtoWriter()
        for n in nodes { graph.message(1, n) }
        graph.string(2, "test")
        for t in initializers { graph.message(5, t) }
        for i in inputs { graph.message(11, i) }
        for o in outputs { graph.message(12, o) }
        var model = ProtoWriter()
        model.int(1, 8)
        model.string(2, "kiln-tests")
        model.message(7, graph)
        model.message(8) { $0.string(1, ""); $0.int(2, Int(opset)) }
        return model.bytes
    }

    /// A Conv → Relu model on a 1x2x5x5 input: the smallest thing that exercises weights and nodes.
    static func convRelu() -> ModelBuilder {
        var m = ModelBuilder()
        m.inputs = [valueInfo("x", dims: [1, 2, 5, 5])]
        m.outputs = [valueInfo("y", dims: [1, 3, 5, 5])]
        m.initializers = [tensor("w", dims: [3, 2, 3, 3]), tensor("b", dims: [3], values: [0.1, -0.2, 0.3])]
        m.node("Conv", ["x", "w", "b"], ["c"], name: "conv", ints: ["pads": [1, 1, 1, 1]])
        m.node("Relu", ["c"], ["y"], name: "relu")
        return m
    }

    /// Writes the model into a fresh temporary folder and returns the file's path.
    func write(in folder: URL? = nil, name: String = "model.onnx") throws -> String {
        let dir = try folder ?? TemporaryFolder.make()
        let url = dir.appendingPathComponent(name)
        try Data(serialized()).write(to: url)
        return url.path
    }
}

enum TemporaryFolder {
    static func make() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
