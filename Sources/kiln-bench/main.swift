// kiln-bench: measurements that are benchmarks, not tests. Build in release:
//
//     swift run -c release kiln-bench import ../shared/models/tv_b0/model.onnx
//     swift run -c release kiln-bench interpret ../shared/models/tv_b0/model.onnx
//
// `import` times parse + import (protobuf-c unpack, tensor decoding, folding, verification);
// `interpret` times the reference interpreter on a zero input. Prints min and median of the runs and
// the process's peak resident memory, so weight copies show up.
import Foundation
import Frontend
import IR
import Reference

func milliseconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
}

func peakResidentMiB() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
          let kib = Double(line.split(separator: " ").dropFirst().first ?? "") else { return .nan }
    return kib / 1024
}

func report(_ what: String, _ times: [Double]) {
    let sorted = times.sorted()
    print(String(format: "%@: min %.2f ms  median %.2f ms  (%d runs)  peak RSS %.1f MiB",
                 what, sorted[0], sorted[sorted.count / 2], sorted.count, peakResidentMiB()))
}

let arguments = CommandLine.arguments.dropFirst()
guard arguments.count >= 2, let mode = arguments.first, let path = arguments.dropFirst().first else {
    print("usage: kiln-bench import|interpret MODEL [RUNS]")
    exit(64)
}
let runs = arguments.count > 2 ? Int(arguments[arguments.startIndex + 2]) ?? 10 : 10
do {
    switch mode {
    case "import":
        var times: [Double] = []
        for _ in 0..<runs { times.append(try milliseconds { _ = try ONNXImporter.load(path: path) }) }
        report("parse + import \(path)", times)
    case "interpret":
        let graph = try ONNXImporter.load(path: path).graph
        let inputs = graph.inputs.map { Tensor(zeros: graph.type(of: $0)) }
        let interpreter = Interpreter(graph: graph)
        var times: [Double] = []
        for _ in 0..<runs { times.append(try milliseconds { _ = try interpreter.run(inputs) }) }
        report("reference interpreter \(path)", times)
    default:
        print("unknown mode \(mode)")
        exit(64)
    }
} catch {
    print("error: \(error)")
    exit(1)
}
