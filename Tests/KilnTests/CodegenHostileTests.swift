import Codegen
import Foundation
import Frontend
import IR
import Optimizer
import Reference
import Testing

/// Names and class names a model or a user controls reach generated C only as sanitized identifiers,
/// comments that cannot be closed early, and escaped string literals.
@Suite struct CodegenHostileTests {
    static let hostileNames = [
        #"*/ system("rm -rf /"); /*"#,
        "line\nbreak\r\n */ system(\"reboot\");",
        #"q"uo'te"#,
        #"back\slash\"#,
        "tri??/",
        "??/\n#include </etc/passwd>",
        "nön-ascii ✓ 猫 \u{202E}evil",
        String(repeating: "x", count: 5000),
        "same name",
        "same-name",
        "%s%n nul\u{0}byte",
    ]

    /// Conv → Relu → Sigmoid → Relu … on a 1x2x5x5 input, every node, value and weight named from `hostileNames`.
    static func hostileModel() -> ModelBuilder {
        var m = ModelBuilder()
        let input = #"in */ put "x" \"#, output = "out\n*/ y ??/"
        let weight = hostileNames[0] + " weight"
        m.inputs = [ModelBuilder.valueInfo(input, dims: [1, 2, 5, 5])]
        m.outputs = [ModelBuilder.valueInfo(output, dims: [1, 3, 5, 5])]
        let w = (0..<54).map { Float(($0 * 7) % 11) / 11 - 0.45 }
        m.initializers = [ModelBuilder.tensor(weight, dims: [3, 2, 3, 3], values: w)]
        var previous = input
        for (i, name) in hostileNames.enumerated() {
            let next = i == hostileNames.count - 1 ? output : name + " value \(i)"
            if i == 0 {
                m.node("Conv", [previous, weight], [next], name: name, ints: ["pads": [1, 1, 1, 1]])
            } else {
                m.node(i % 2 == 1 ? "Relu" : "Sigmoid", [previous], [next], name: name)
            }
            previous = next
        }
        return m
    }

    /// The hostile model written into `dir`, optimized; the interpreter's output on an input written
    /// there as `x.npy`.
    static func hostileCase(in dir: URL) throws -> (optimized: Graph, expected: Tensor, input: String) {
        let graph = try ONNXImporter.load(path: try hostileModel().write(in: dir)).graph
        var optimized = graph
        try Pipeline.run(Pipeline.standard(), on: &optimized)
        let x = (0..<50).map { Float(($0 * 13) % 17) / 8 - 1 }
        let expected = try Interpreter(graph: graph).run([Tensor(shape: [1, 2, 5, 5], floats: x)])[0]
        let input = dir.appendingPathComponent("x.npy").path
        try writeNpy(input, x, dims: [1, 2, 5, 5])
        return (optimized, expected, input)
    }

    @Test func hostileNamesCompileRunAndStayInComments() throws {
        let dir = try TemporaryFolder.make()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (optimized, expected, input) = try Self.hostileCase(in: dir)

        let compilers = (try? Toolchain.find("clang")) == nil ? ["gcc"] : ["gcc", "clang"]
        for compiler in compilers {
            var options = CompileOptions()
            options.compiler = compiler
            options.emitDirectory = dir.appendingPathComponent("c-\(compiler)").path
            options.banner = ["Model: " + Self.hostileNames.joined(separator: " ")]
            let binary = dir.appendingPathComponent("model-\(compiler)").path
            _ = try Compiler.compile(optimized, output: binary, options: options)  // -Wall -Werror
            let run = try runProgram(binary, [input, "-o", input + ".\(compiler).npy"])
            try #require(run.status == 0, "\(compiler): \(run.stderr)")
            let (relative, _) = compare(try readNpy(input + ".\(compiler).npy").values, expected)
            #expect(relative <= 1e-5, "\(compiler): relative error \(relative)")
        }

        let emitted = dir.appendingPathComponent("c-gcc")
        let files = try FileManager.default.contentsOfDirectory(atPath: emitted.path).filter { $0.hasSuffix(".c") || $0.hasSuffix(".h") }.sorted()
        // The printer writes the model's files; main() is the runtime's own kiln_main.c, copied beside them.
        #expect(files.contains("model.c") && files.contains("model.h") && !files.contains("main.c"), "\(files)")
        #expect(FileManager.default.fileExists(atPath: emitted.appendingPathComponent("runtime/kiln_main.c").path))
        for file in files {
            let bytes = try Data(contentsOf: emitted.appendingPathComponent(file))
            #expect(bytes.allSatisfy { $0 == 0x0a || (0x20..<0x7f).contains($0) }, "\(file) is not printable ASCII")
            let text = String(decoding: bytes, as: UTF8.self)
            #expect(!text.contains("??"), "\(file) has a trigraph")
            let code = CSource.code(text)
            // Sanitized identifiers may keep words (`k000_system_rm_rf`), never the punctuation around them.
            for danger in ["system(", "rm -rf", "\"reboot\"", "</etc/passwd>", "%s%n", "\u{202E}"] {
                #expect(!code.contains(danger), "\(file): '\(danger)' outside comments")
            }
        }

        // Every node function is declared once, in model_internal.h (or model.c before the model was split).
        let declarations = try files.filter { $0.hasSuffix(".h") || $0 == "model.c" }.map {
            try String(contentsOf: emitted.appendingPathComponent($0), encoding: .utf8)
        }.joined()
        let names = declarations.matches(of: /void (k[0-9]{3,}[A-Za-z0-9_]*)\(const kiln_task \*t\);/).map { String($0.1) }
        #expect(names.count >= 8, "\(names)")
        #expect(Set(names).count == names.count, "function names are not unique: \(names)")
        #expect(names.allSatisfy { $0.count <= 4 + 1 + 48 }, "\(names)")
        #expect(names.filter { $0.hasSuffix("_same_name") }.count == 2, "\(names)")
        #expect(names.contains { $0.hasSuffix("_system_rm_rf") }, "\(names)")
    }

    /// Class names are C string literals printed with `%s`: quotes, backslashes, format directives,
    /// trigraphs and a 100,000-character line come out as they went in.
    @Test func hostileClassNamesPrintVerbatim() throws {
        let labels = [#"a "quoted" label"#, #"back\slash\"#, "%s%n%x%%", "??/ trigraph ??=", String(repeating: "L", count: 100_000), "tab\there"]
        let dir = try TemporaryFolder.make()
        defer { try? FileManager.default.removeItem(at: dir) }
        let binary = try Self.compileSixWayRelu(in: dir, labels: labels)
        let input = dir.appendingPathComponent("x.npy").path
        try writeNpy(input, [6, 5, 4, 3, 2, 1], dims: [1, 6])
        let run = try runProgram(binary, [input, "--top", "6"])
        #expect(run.status == 0, "\(run.stderr)")
        let lines = run.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        try #require(lines.count == labels.count, "\(run.stdout.prefix(400))")
        for (rank, (line, label)) in zip(lines, labels).enumerated() {
            #expect(line.hasPrefix(String(format: "%3d. ", rank + 1) + label + "  ("), "\(line.prefix(200))")
        }
    }

    /// A class-name file that is not UTF-8 still compiles through `kiln compile`; bad bytes print as U+FFFD.
    @Test func classNamesThatAreNotUTF8() throws {
        guard let kiln = CLITests.kiln else { return }
        let dir = try TemporaryFolder.make()
        defer { try? FileManager.default.removeItem(at: dir) }
        var m = ModelBuilder()
        m.inputs = [ModelBuilder.valueInfo("x", dims: [1, 2])]
        m.outputs = [ModelBuilder.valueInfo("y", dims: [1, 2])]
        m.node("Relu", ["x"], ["y"], name: "relu")
        let labelFile = dir.appendingPathComponent("labels.txt")
        try Data([0xff, 0xfe, 0x20, 0x63, 0x61, 0x74, 0xc3, 0x0a, 0x64, 0x6f, 0x67, 0x0d, 0x0a]).write(to: labelFile)
        let binary = dir.appendingPathComponent("relu").path
        let compile = try runProgram(kiln.path, ["compile", try m.write(in: dir), "-o", binary, "--labels", labelFile.path])
        try #require(compile.status == 0, "\(compile.stderr)")
        let input = dir.appendingPathComponent("x.npy").path
        try writeNpy(input, [2, 1], dims: [1, 2])
        let run = try runProgram(binary, [input])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.hasPrefix("  1. \u{FFFD}\u{FFFD} cat\u{FFFD}  ("), "\(run.stdout)")
        #expect(run.stdout.contains("  2. dog  ("), "\(run.stdout)")
    }

    /// Relu on [1, 6] with `labels`, built through the API.
    static func compileSixWayRelu(in dir: URL, labels: [String]) throws -> String {
        var m = ModelBuilder()
        m.inputs = [ModelBuilder.valueInfo("x", dims: [1, 6])]
        m.outputs = [ModelBuilder.valueInfo("y", dims: [1, 6])]
        m.node("Relu", ["x"], ["y"], name: "relu")
        var graph = try ONNXImporter.load(path: try m.write(in: dir)).graph
        try Pipeline.run(Pipeline.standard(), on: &graph)
        var options = CompileOptions()
        options.labels = labels
        let binary = dir.appendingPathComponent("relu").path
        _ = try Compiler.compile(graph, output: binary, options: options)
        return binary
    }

    @Test func sanitizedNamesStartAtAWord() {
        #expect(Identifier.sanitize("/features/features.1/features.1.0/block/block.0/block.0.0/Conv", prefix: "k001")
            == "k001_features_1_0_block_block_0_block_0_0_Conv")
        #expect(Identifier.sanitize("/blocks/blocks.0/blocks.0.0/conv_dw/Conv", prefix: "k002") == "k002_blocks_blocks_0_blocks_0_0_conv_dw_Conv")
        #expect(Identifier.sanitize(#"*/ system("rm -rf /"); /*"#, prefix: "k000") == "k000_system_rm_rf")
        #expect(Identifier.sanitize(String(repeating: "x", count: 5000), prefix: "k003") == "k003_" + String(repeating: "x", count: 48))
        #expect(Identifier.sanitize("/a/" + String(repeating: "y", count: 60), prefix: "k004") == "k004_" + String(repeating: "y", count: 48))
        #expect(Identifier.sanitize("猫 ✓", prefix: "k005") == "k005")
        #expect(Identifier.sanitize("0/Conv", prefix: "k006") == "k006_0_Conv")
        #expect(Identifier.sanitize("same name", prefix: "k007") == "k007_same_name")
        #expect(Identifier.sanitize("same-name", prefix: "k008") == "k008_same_name")
    }

    @Test func commentTextCannotCloseTheComment() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("*/?\\\n\r\"'x=( 猫")
        for _ in 0..<2000 {
            let text = String((0..<Int.random(in: 0..<12, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
            let safe = Identifier.commentText(text)
            for bad in ["*/", "/*", "??", "\n", "\r"] { #expect(!safe.contains(bad), "\(text.debugDescription) → \(safe.debugDescription)") }
            #expect(safe.unicodeScalars.allSatisfy { $0.isASCII })
            // Nothing before or after the text can pair up with it either: it neither starts nor ends with '*'+'/'.
            #expect(CSource.code("/* " + safe + " */int x;") == " int x;", "\(safe.debugDescription)")
        }
    }
}

/// A C source as the compiler sees it, comments and literals removed: trigraphs replaced (phase 1),
/// backslash-newlines spliced (phase 2), then comments, string and character literals dropped.
enum CSource {
    static func code(_ source: String) -> String {
        let trigraphs: [Character: Character] = ["=": "#", "(": "[", "/": "\\", ")": "]", "'": "^", "<": "{", "!": "|", ">": "}", "-": "~"]
        var phase1: [Character] = []
        let chars = Array(source)
        var i = 0
        while i < chars.count {
            if chars[i] == "?", i + 2 < chars.count, chars[i + 1] == "?", let t = trigraphs[chars[i + 2]] {
                phase1.append(t)
                i += 3
            } else {
                phase1.append(chars[i])
                i += 1
            }
        }
        let spliced = String(phase1).replacingOccurrences(of: "\\\n", with: "")
        var out = ""
        var rest = Substring(spliced)
        while let c = rest.first {
            if rest.hasPrefix("/*") {
                guard let end = rest.dropFirst(2).range(of: "*/") else { return out }
                rest = rest[end.upperBound...]
                out.append(" ")
            } else if rest.hasPrefix("//") {
                rest = rest.drop { $0 != "\n" }
            } else if c == "\"" || c == "'" {
                rest = rest.dropFirst()
                while let d = rest.first, d != c {
                    rest = rest.dropFirst(d == "\\" ? 2 : 1)
                }
                rest = rest.dropFirst()
                out.append(" ")
            } else {
                out.append(c)
                rest = rest.dropFirst()
            }
        }
        return out
    }
}
