import ArgumentParser
import Foundation
import Frontend
import IR
import KilnRuntime
import Reference
import Verification

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a model with the reference interpreter on an image or tensor.",
        discussion: """
        INPUT may be a .npy file (float32, C order), an ONNX TensorProto .pb file, or a binary PPM image, which is \
        resized to the model's input size and normalized with --preprocess. Prints the top-K classes; --output \
        writes the output tensor as .npy.
        """)

    enum Preprocess: String, ExpressibleByArgument, CaseIterable { case imagenet, inception }

    @OptionGroup var model: ModelOptions

    @Option(help: "Input file: .npy, .pb (ONNX TensorProto) or .ppm image.")
    var input: String

    @Option(name: .shortAndLong, help: "Write the first output as a float32 .npy file.")
    var output: String?

    // Unconditional parsing, so that `--top -1` reaches validate() instead of reading as a flag.
    @Option(parsing: .unconditional, help: "How many classes to print.")
    var top: Int = 5

    @Option(help: "Class names, one per line, in class-index order.")
    var labels: String?

    @Option(help: "Image normalization: imagenet (default; torchvision mean/std) or inception ((p-127)/128).")
    var preprocess: Preprocess?

    func run() throws {
        try reportingErrors {
            guard top >= 0 else { throw UsageError("--top must be zero or more, got \(top)") }
            guard model.batch == nil else { throw UsageError("kiln run feeds one input file; --batch is for compile, inspect, verify and bench") }
            _ = try model.parsedInputShapes()
            if let output { try OutputFiles.checkFile(output, "--output") }
            let graph = try model.load().graph
            guard graph.inputs.count == 1, let inputID = graph.inputs.first else {
                throw KilnError("kiln run feeds one input; this model has \(graph.inputs.count)", file: model.model)
            }
            let inputType = graph.type(of: inputID)
            guard inputType.elementType == .float32 else {
                throw KilnError("kiln run feeds float32 inputs; '\(graph[inputID].name)' is \(inputType)", file: model.model)
            }
            let names = try labels.map { try readLabels($0, for: graph) } ?? []
            if isImage(input), let note = Progress.preprocessNote(graph, explicit: preprocess != nil) { printError(note) }
            let tensor = try loadInput(inputType)

            let start = kiln_now_ms()
            let outputs = try Interpreter(graph: graph).run([tensor])
            printError(String(format: "reference interpreter: %.1f ms", kiln_now_ms() - start))

            guard let result = outputs.first, result.elementType == .float32 else { return }
            if let output {
                try runtimeCall { err in
                    result.shape.map(Int64.init).withUnsafeBufferPointer { dims in
                        kiln_npy_write(output, result.floats.baseAddress, dims.baseAddress, Int32(result.shape.count), err, Int(KILN_ERR_LEN))
                    }
                }
            }
            if top > 0 { printTop(result, names: names) }
        }
    }

    /// Decodes the input file with the C runtime, exactly as a compiled binary would.
    private func loadInput(_ type: TensorType) throws -> Tensor {
        let tensor = Tensor(zeros: type)
        let norm = preprocess == .inception ? KILN_NORM_INCEPTION : KILN_NORM_IMAGENET
        try runtimeCall { err in
            type.shape.map(Int64.init).withUnsafeBufferPointer { dims in
                kiln_load_input(input, dims.baseAddress, Int32(type.rank), norm, KILN_LAYOUT_NCHW,
                                tensor.mutableFloats.baseAddress, tensor.elementCount, err, Int(KILN_ERR_LEN))
            }
        }
        return tensor
    }

    /// Prints the top classes of a score vector, as probabilities.
    private func printTop(_ result: Tensor, names: [String]) {
        let scores = Array(result.floats)
        guard scores.count > 1 else {
            print("output: \(result.type) \(scores)")
            return
        }
        var probabilities = scores
        if kiln_looks_like_probabilities(scores, scores.count) == 0 {
            kiln_softmax(scores, &probabilities, scores.count)
        }
        var indices = [Int](repeating: 0, count: min(top, probabilities.count))
        let count = kiln_topk(probabilities, probabilities.count, indices.count, &indices)
        for (rank, index) in indices.prefix(count).enumerated() {
            let name = index < names.count ? names[index] : "class \(index)"
            print(String(format: "%3d. %@  (%.4f)", rank + 1, name, probabilities[index]))
        }
    }

    /// Whether the input file is a PPM image (by its first bytes, as the runtime decides).
    private func isImage(_ path: String) -> Bool {
        guard let file = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? file.close() }
        let head = (try? file.read(upToCount: 2)) ?? Data()
        return head.count == 2 && head.first == UInt8(ascii: "P") && head.last == UInt8(ascii: "6")
    }
}
