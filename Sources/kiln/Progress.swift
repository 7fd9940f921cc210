import Codegen
import Foundation
import IR
import Verification

/// What a long command says on stderr while it works, and the facts a user would otherwise have to guess.
enum Progress {
    /// One progress line on stderr, prefixed `kiln:` so it reads apart from the results on stdout.
    static func say(_ line: String) { printError("kiln: \(line)") }

    /// Seconds since `start`, one decimal.
    static func seconds(since start: Date) -> String { String(format: "%.1f s", Date().timeIntervalSince(start)) }

    /// The instruction set a target builds for: `native` says which one it chose on this CPU.
    static func describe(_ target: Target) -> String {
        guard target == .native else { return target.rawValue }
        let flags = target.flags()
        let chosen = flags.contains("-DKILN_TARGET_AVX512") ? "avx512" : flags.contains("-DKILN_TARGET_AVX2") ? "avx2" : "generic"
        return "native = \(chosen)"
    }

    /// A note when images would be normalized twice: the model's input goes straight into arithmetic with a
    /// constant (Keras' Rescaling/Normalization layers inside the graph), yet `--preprocess` was left at its default.
    static func preprocessNote(_ graph: Graph, explicit: Bool) -> String? {
        guard !explicit, let input = graph.inputs.first else { return nil }
        let scaling = ["Mul", "Div", "Sub", "Add"]
        for node in graph.nodes where node.inputs.contains(input) && scaling.contains(node.op.opType) {
            guard node.inputs.contains(where: { graph.constants[$0] != nil }) else { continue }
            return "note: the model scales its input itself (\(node.op.opType) '\(node.name)' by a constant right after the input), "
                + "and images are also normalized with the default --preprocess imagenet; "
                + "check what the model expects and give --preprocess explicitly"
        }
        return nil
    }
}

/// `--labels FILE`: class names, one a line, read by the C runtime as the compiled program would, and checked
/// against the model's output so that 10 names for 1000 classes is an error, not a silent "class 971".
/// `batch`: the images of one run (`--batch`); an output of that many rows has its classes in each row.
func readLabels(_ path: String, for graph: Graph, batch: Int = 1) throws -> [String] {
    let names: [String]
    do {
        names = try readClassNames(path: path)
    } catch let error as KilnError {
        throw KilnError("cannot read the class names (--labels): \(error.message)")
    }
    guard let output = graph.outputs.first else { return names }
    let type = graph.type(of: output)
    let classes = type.elementCount / (type.shape.first == batch ? batch : 1)
    guard names.count == classes else {
        throw KilnError("--labels has \(names.count) class names, but the model's output \(graph[output].name) is \(type): "
                        + "\(classes) classes" + (classes < type.elementCount ? " per image" : ""), file: path)
    }
    return names
}
