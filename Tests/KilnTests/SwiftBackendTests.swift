import Codegen
import Foundation
import Frontend
import IR
import Optimizer
import Reference
import Testing

/// `--backend swift`: a whole model compiles (Embedded Swift, `-warnings-as-errors`, static) and
/// matches onnxruntime; the program behaves as the C backend's does (outputs, top-K, errors, exit
/// status, external weights) and gives the same bits at any thread count; hostile names never become
/// Swift code. The six models × targets are
/// `kiln verify --backend swift` runs (README) and `KILN_FULL_MATRIX=1`.
@Suite(.serialized) struct SwiftBackendTests {
    static let hasLite0 = CodegenTests.hasLite0
    static let hasSwift = (try? Toolchain.findSwift()) != nil
    static let app = BuildConfig(model: "lite0_trained", weights: .external, preprocess: "inception", labels: true, backend: .swift)

    @Test(.enabled(if: hasLite0 && hasSwift), arguments: [Codegen.Target.native, .generic])
    func lite0MatchesOnnxruntime(target: Codegen.Target) throws {
        try CodegenTests().expectMatchesReference(BuildConfig(model: "lite0_trained", target: target, backend: .swift))
    }

    @Test(.enabled(if: CodegenTests.runFullMatrix && hasSwift), arguments: CodegenTests.models, [Codegen.Target.native, .generic])
    func fullMatrix(model: String, target: Codegen.Target) throws {
        try CodegenTests().expectMatchesReference(BuildConfig(model: model, target: target, backend: .swift))
    }

    /// The same command lines give the same stdout, stderr and exit status as the C program: top-K with
    /// class names on the cat photo, `--top` with `--bench`, argument errors, a bad input, a missing
    /// weights file; the output's bits are the same at 1, 2 and 3 threads.
    @Test(.enabled(if: hasLite0 && hasSwift))
    func behavesLikeTheCProgram() throws {
        var cConfig = Self.app
        cConfig.backend = .c
        let swift = try BinaryCache.shared.binary(Self.app), c = try BinaryCache.shared.binary(cConfig)
        let dir = try TemporaryFolder.make()
        defer { try? FileManager.default.removeItem(at: dir) }
        let cat = SharedData.packageRoot.appendingPathComponent("samples/cat.ppm").path
        let bad = dir.appendingPathComponent("small.npy").path
        try writeNpy(bad, [Float](repeating: 0.5, count: 3 * 32 * 32), dims: [1, 3, 32, 32])
        for arguments in [[cat], [cat, "--top", "3"], [cat, "--top", "0"], [cat, "--frobnicate"], [], [bad], [cat, cat]] {
            let s = try runProgram(swift.binary, arguments), r = try runProgram(c.binary, arguments)
            #expect(s.status == r.status, "\(arguments): exit \(s.status), C \(r.status)")
            #expect(s.stdout == r.stdout, "\(arguments): \(s.stdout) vs C \(r.stdout)")
            // The usage line names the program, which differs.
            #expect(s.stderr.replacingOccurrences(of: swift.binary, with: "BIN") == r.stderr.replacingOccurrences(of: c.binary, with: "BIN"),
                    "\(arguments): \(s.stderr) vs C \(r.stderr)")
        }
        let first = try runProgram(swift.binary, [cat]).stdout.split(separator: "\n").first.map(String.init) ?? ""
        #expect(first.hasPrefix("  1. Egyptian cat  ("), "\(first)")
        // The pool's threads split every node: the same bits at 1, 2 and 3 threads.
        var outputs: [Data] = []
        for threads in ["1", "2", "3"] {
            let path = dir.appendingPathComponent("out\(threads).npy").path
            let run = try runProgram(swift.binary, [cat, "--threads", threads, "-o", path])
            try #require(run.status == 0, "--threads \(threads): \(run.stderr)")
            outputs.append(try Data(contentsOf: URL(fileURLWithPath: path)))
        }
        #expect(outputs.count == 3 && outputs.allSatisfy { $0 == outputs[0] }, "outputs differ between thread counts")
        let bench = try runProgram(swift.binary, [cat, "--bench", "2", "--top", "1"])
        #expect(bench.status == 0 && bench.stdout.split(separator: "\n").count == 2, "\(bench.stdout)")
        // Without its weights file: one line, exit 2.
        let copy = dir.appendingPathComponent("lite0").path
        try FileManager.default.copyItem(atPath: swift.binary, toPath: copy)
        let missing = try runProgram(copy, [cat])
        #expect(missing.status == 2)
        #expect(missing.stderrLines == ["error: \(copy).weights: cannot open the weights file: No such file or directory"], "\(missing.stderr)")
    }

    /// Hostile node and value names compile (the Swift with `-warnings-as-errors`), run correctly, and
    /// reach model.swift only as sanitized identifiers and inside `//` comments.
    @Test(.enabled(if: hasSwift))
    func hostileNamesStayInComments() throws {
        let dir = try TemporaryFolder.make()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (optimized, expected, input) = try CodegenHostileTests.hostileCase(in: dir)
        var options = CompileOptions()
        options.backend = .swift
        options.emitDirectory = dir.appendingPathComponent("swift-src").path
        options.banner = ["Model: " + CodegenHostileTests.hostileNames.joined(separator: " ")]
        let binary = dir.appendingPathComponent("model").path
        _ = try Compiler.compile(optimized, output: binary, options: options)
        let run = try runProgram(binary, [input, "-o", input + ".out.npy"])
        try #require(run.status == 0, "\(run.stderr)")
        #expect(compare(try readNpy(input + ".out.npy").values, expected).relative <= 1e-5)

        let bytes = try Data(contentsOf: dir.appendingPathComponent("swift-src/swift/model.swift"))
        #expect(bytes.allSatisfy { $0 == 0x0a || (0x20..<0x7f).contains($0) }, "model.swift is not printable ASCII")
        let code = String(decoding: bytes, as: UTF8.self).split(separator: "\n").map { line in
            line.range(of: "//").map { String(line[..<$0.lowerBound]) } ?? String(line)
        }.joined(separator: "\n")
            // The only string literals: the C names Kiln gives the node functions for the profiler's table.
            .replacing(/@_cdecl\("kiln_swift_node_[0-9]+"\)/, with: "")
        for danger in ["system(", "rm -rf", "\"", "`", "%s%n", "*/", "/*", "\\"] {
            #expect(!code.contains(danger), "'\(danger)' outside comments")
        }
        let names = code.matches(of: /func (k[0-9]{3,}[A-Za-z0-9_]*)\(_ t: UnsafePointer<kiln_task>\)/).map { String($0.1) }
        #expect(names.count >= 8 && Set(names).count == names.count, "\(names)")
    }

    /// Names that are not Swift identifiers are rebuilt; sanitized names pass unchanged.
    @Test func swiftIdentifiersAreSafe() {
        #expect(Identifier.swiftSafe("k000_features_0_Conv") == "k000_features_0_Conv")
        for hostile in ["func", "in", "self", "Self", "_", "1abc", "naïve", "a`b", "`func`", "", "a b", "x-y"] {
            let safe = Identifier.swiftSafe(hostile)
            #expect(!Identifier.swiftKeywords.contains(safe) && !safe.isEmpty, "\(hostile) → \(safe)")
            #expect(safe.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "_") }, "\(hostile) → \(safe)")
            #expect(!(safe.first?.isNumber ?? true), "\(hostile) → \(safe)")
        }
    }
}
