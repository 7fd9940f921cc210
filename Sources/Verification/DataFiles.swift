import Codegen
import Foundation
import Frontend
import IR
import KilnRuntime

/// One `test_data_set_N` folder in the ONNX test-data layout: `input_0.pb` (or `.npy`) and,
/// optionally, the expected `output_0.pb`.
public struct DataSet: Sendable {
    public var name: String
    public var input: String
    public var expectedOutput: String?

    /// The data sets at `path`: the folder itself when it holds an `input_0` file, else its
    /// subfolders that do, sorted by name. Throws when there are none.
    public static func find(at path: String) throws -> [DataSet] {
        if let one = DataSet(folder: URL(fileURLWithPath: path)) { return [one] }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: path)
        } catch {
            // Foundation's error text is long and vague; the system's reason is what the user needs.
            var isFolder: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isFolder)
            let cause = !exists ? "No such file or directory" : !isFolder.boolValue ? "not a folder" : "permission denied"
            throw KilnError("cannot list the data folder: \(cause)", file: path)
        }
        let sets = names.sorted().compactMap { DataSet(folder: URL(fileURLWithPath: path).appendingPathComponent($0)) }
        guard !sets.isEmpty else { throw KilnError("no test data sets (folders with input_0.pb) found", file: path) }
        return sets
    }

    /// The `test_data_set_*` folders beside a model file.
    public static func beside(model: String) throws -> [DataSet] {
        let dir = URL(fileURLWithPath: model).deletingLastPathComponent()
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        let sets = names.filter { $0.hasPrefix("test_data_set_") }.sorted().compactMap {
            DataSet(folder: dir.appendingPathComponent($0))
        }
        guard !sets.isEmpty else { throw KilnError("no test_data_set_* folders beside the model (use --data)", file: model) }
        return sets
    }

    init?(folder: URL) {
        let fm = FileManager.default
        guard let input = ["input_0.pb", "input_0.npy"].map({ folder.appendingPathComponent($0).path })
            .first(where: fm.fileExists(atPath:)) else { return nil }
        let output = folder.appendingPathComponent("output_0.pb").path
        self.name = folder.lastPathComponent
        self.input = input
        self.expectedOutput = fm.fileExists(atPath: output) ? output : nil
    }
}

/// Reading tensors the way the compiled program does: through the C runtime.
enum DataFiles {
    /// The input at `path` decoded for `type` (exactly as a compiled binary would decode it).
    static func input(_ path: String, type: TensorType) throws -> Tensor {
        let tensor = Tensor(zeros: type)
        try runtimeCall { err in
            type.shape.map(Int64.init).withUnsafeBufferPointer { dims in
                kiln_load_input(path, dims.baseAddress, Int32(type.rank), KILN_NORM_IMAGENET, KILN_LAYOUT_NCHW,
                                tensor.mutableFloats.baseAddress, tensor.elementCount, err, Int(KILN_ERR_LEN))
            }
        }
        return tensor
    }

    /// A float32 `.npy` file: its shape and elements.
    static func npy(_ path: String) throws -> (shape: [Int], values: [Float]) {
        var data: UnsafeMutablePointer<UInt8>?
        var size = 0
        // A program's output: at most one tensor's bytes after a header.
        let limit = ResourceLimits.current.tensorBytes + 65536
        try runtimeCall { kiln_read_file(path, limit, &data, &size, $0, Int(KILN_ERR_LEN)) }
        defer { free(data) }
        var tensor = kiln_tensor()
        try runtimeCall { kiln_npy_decode(data, size, &tensor, $0, Int(KILN_ERR_LEN)) }
        defer { kiln_tensor_free(&tensor) }
        let rank = Int(tensor.rank)
        let shape: [Int] = withUnsafeBytes(of: tensor.dims) { raw in
            let dims = raw.bindMemory(to: Int64.self)
            return (0..<min(rank, dims.count)).map { Int(dims[$0]) }
        }
        let values = tensor.data.map { Array(UnsafeBufferPointer(start: $0, count: tensor.count)) } ?? []
        return (shape, values)
    }

    /// An expected output (`output_0.pb`, or the `.npy` of a batch of them), as float32.
    static func expected(_ path: String) throws -> Tensor {
        if path.hasSuffix(".npy") {
            let (shape, values) = try npy(path)
            return Tensor(shape: shape, floats: values)
        }
        let tensor = try TensorFile.read(path: path)
        guard tensor.elementType == .float32 else { throw KilnError("expected a float32 tensor, found \(tensor.type)", file: path) }
        return tensor
    }
}

/// Runs a compiled program: `BIN INPUT -o OUT`, with extra environment variables.
enum Program {
    static func run(_ binary: String, input: String, output: String, environment: [String: String] = [:]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [input, "-o", output]
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let messages = Pipe()
        process.standardError = messages
        process.standardOutput = messages
        let text = try ChildProcesses.run(process, cannotRun: {
            KilnError("cannot run the compiled program \(binary): \($0.localizedDescription)")
        }) {
            String(decoding: messages.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        }
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            let how = process.terminationReason == .exit ? "exit \(process.terminationStatus)" : "signal \(process.terminationStatus)"
            let line = text.split(separator: "\n").first.map(String.init) ?? ""
            throw KilnError("the compiled program failed on \(input) (\(how)): \(line)")
        }
    }
}

/// Calls a C runtime function that reports failure as a status and a one-line message, turning a
/// failure into a KilnError (used by `kiln run` and by verification, which decode inputs alike).
/// Class names, one a line, read by the C runtime exactly as a compiled program's `--labels` would be.
public func readClassNames(path: String) throws -> [String] {
    var names: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
    var count = 0
    try runtimeCall { kiln_labels_read(path, &names, &count, $0, Int(KILN_ERR_LEN)) }
    defer { kiln_labels_free(names, count) }
    // Bytes that are not UTF-8 become U+FFFD.
    return (0..<count).map { i in
        guard let name = names?[i] else { return "" }
        let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(name).assumingMemoryBound(to: UInt8.self), count: strlen(name))
        return String(decoding: bytes, as: UTF8.self)
    }
}

public func runtimeCall(_ body: (UnsafeMutablePointer<CChar>) -> kiln_status) throws {
    var buffer = [CChar](repeating: 0, count: Int(KILN_ERR_LEN))
    let status = buffer.withUnsafeMutableBufferPointer { storage -> kiln_status in
        guard let base = storage.baseAddress else { return KILN_ERR_ARGUMENT }
        return body(base)
    }
    guard status == KILN_OK else {
        throw KilnError(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }
}

/// The input at `path` (.npy, TensorProto .pb or PPM, ImageNet preprocessing) decoded for `type`,
/// exactly as a compiled program decodes it.
public func decodeInput(_ path: String, type: TensorType) throws -> Tensor {
    try DataFiles.input(path, type: type)
}
