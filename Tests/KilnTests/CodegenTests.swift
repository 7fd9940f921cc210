import Codegen
import Foundation
import Frontend
import IR
import Optimizer
import Testing

/// The C backend's acceptance tests: every shared model compiles (`-Wall -Werror`, static) and its
/// program reproduces onnxruntime's outputs within max|y − ref| ≤ 1e-4 · max|ref| with the same top-1.
/// The default run builds each shared model once (native, gcc) plus lite0_trained for the other targets,
/// clang, external weights and the image path. `KILN_FULL_MATRIX=1` adds every model × {native,
/// generic} × {gcc, clang}.
@Suite(.serialized) struct CodegenTests {
    /// Every public model: the compiled backends take them all.
    static let models = SharedData.available("codegen tests") == nil ? [] : SharedData.modelNames
    static let hasLite0 = models.contains("lite0_trained")
    static let clang = (try? Toolchain.find("clang")) != nil
    static let avx2 = ((try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? "").contains(" avx2")
    static let runFullMatrix = ProcessInfo.processInfo.environment["KILN_FULL_MATRIX"] == "1"

    /// The lite0 program with the image path compiled in: inception preprocessing, class names,
    /// weights in a file beside it.
    static let app = BuildConfig(model: "lite0_trained", weights: .external, preprocess: "inception", labels: true)

    /// Runs `config`'s program on every test data set of its model and checks it against output_0.pb.
    func expectMatchesReference(_ config: BuildConfig) throws {
        let program = try BinaryCache.shared.binary(config)
        let dir = SharedData.root.appendingPathComponent("models/\(config.model)")
        let dataSets = SharedData.dataSets(dir)
        #expect(!dataSets.isEmpty)
        let out = try TemporaryFolder.make()
        defer { try? FileManager.default.removeItem(at: out) }
        for dataSet in dataSets {
            let name = "\(config) \(dataSet.lastPathComponent)"
            let ref = try SharedData.tensors(dataSet, prefix: "output")[0]
            let npy = out.appendingPathComponent("\(dataSet.lastPathComponent).npy").path
            let run = try runProgram(program.binary, [dataSet.appendingPathComponent("input_0.pb").path, "-o", npy])
            try #require(run.status == 0, "\(name): exit \(run.status): \(run.stderr)")
            #expect(run.stderr.isEmpty, "\(name): \(run.stderr)")
            let y = try readNpy(npy)
            #expect(y.dims == ref.shape, "\(name): shape \(y.dims), expected \(ref.shape)")
            try #require(y.values.count == ref.elementCount)
            let (relative, sameTop1) = compare(y.values, ref)
            print("\(name): relative error \(relative)")
            #expect(relative <= 1e-4, "\(name): relative error \(relative)")
            #expect(sameTop1, "\(name): top-1 differs")
        }
    }

    @Test(arguments: models)
    func nativeGCCMatchesOnnxruntime(model: String) throws {
        try expectMatchesReference(BuildConfig(model: model))
    }

    @Test(.enabled(if: hasLite0), arguments: [(Codegen.Target.generic, "gcc"), (.avx2, "gcc"), (.native, "clang")])
    func lite0OtherTargetsAndCompilers(target: Codegen.Target, compiler: String) throws {
        if compiler == "clang" && !Self.clang { print("SKIP lite0 with clang: no clang"); return }
        if target == .avx2 && !Self.avx2 { print("SKIP lite0 avx2: this CPU has no AVX2"); return }
        try expectMatchesReference(BuildConfig(model: "lite0_trained", target: target, compiler: compiler))
    }

    @Test(.enabled(if: runFullMatrix), arguments: models, [Codegen.Target.native, .generic])
    func fullMatrix(model: String, target: Codegen.Target) throws {
        for compiler in Self.clang ? ["gcc", "clang"] : ["gcc"] {
            try expectMatchesReference(BuildConfig(model: model, target: target, compiler: compiler))
        }
    }

    @Test(.enabled(if: hasLite0))
    func programIsStaticallyLinked() throws {
        let program = try BinaryCache.shared.binary(BuildConfig(model: "lite0_trained"))
        guard let ldd = ["/usr/bin/ldd", "/bin/ldd"].first(where: FileManager.default.isExecutableFile(atPath:)) else {
            print("SKIP static check: no ldd")
            return
        }
        let run = try runProgram(ldd, [program.binary])
        #expect((run.stdout + run.stderr).contains("not a dynamic executable"), "ldd: \(run.stdout)\(run.stderr)")
    }

    @Test(.enabled(if: hasLite0))
    func catPhotoIsAnEgyptianCat() throws {
        let program = try BinaryCache.shared.binary(Self.app)
        let run = try runProgram(program.binary, [SharedData.packageRoot.appendingPathComponent("samples/cat.ppm").path, "--top", "3"])
        #expect(run.status == 0, "\(run.stderr)")
        let first = run.stdout.split(separator: "\n").first.map(String.init) ?? ""
        #expect(first.hasPrefix("  1. Egyptian cat  ("), "\(run.stdout)")
        #expect(run.stdout.split(separator: "\n").count == 3)
    }

    @Test(.enabled(if: hasLite0))
    func externalWeightsMatchAndTheirAbsenceIsOneLine() throws {
        try expectMatchesReference(Self.app)
        let program = try BinaryCache.shared.binary(Self.app)
        let weights = try #require(program.weightsFile)
        #expect(weights == program.binary + ".weights")
        #expect((try FileManager.default.attributesOfItem(atPath: weights)[.size] as? Int) == program.weightsBytes)

        // A copy of the program without its weights file, then with a truncated one.
        let dir = try TemporaryFolder.make()
        defer { try? FileManager.default.removeItem(at: dir) }
        let copy = dir.appendingPathComponent("lite0").path
        try FileManager.default.copyItem(atPath: program.binary, toPath: copy)
        let input = SharedData.root.appendingPathComponent("models/lite0_trained/test_data_set_0/input_0.pb").path
        let missing = try runProgram(copy, [input])
        #expect(missing.status == 2)
        #expect(missing.stderrLines == ["error: \(copy).weights: cannot open the weights file: No such file or directory"], "\(missing.stderr)")
        #expect(missing.stdout.isEmpty)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: weights))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: copy + ".weights"))
        let truncated = try runProgram(copy, [input])
        #expect(truncated.status == 2)
        #expect(truncated.stderrLines == ["error: \(copy).weights: expected \(bytes.count) bytes of weights"], "\(truncated.stderr)")
    }

    @Test(.enabled(if: hasLite0))
    func badInputsAreOneLineAndExitTwo() throws {
        let program = try BinaryCache.shared.binary(Self.app)
        let dir = try TemporaryFolder.make()
        defer { try? FileManager.default.removeItem(at: dir) }
        let wrongSize = dir.appendingPathComponent("small.npy").path
        try writeNpy(wrongSize, [Float](repeating: 0.5, count: 3 * 32 * 32), dims: [1, 3, 32, 32])
        let truncated = dir.appendingPathComponent("truncated.pb")
        let pb = try Data(contentsOf: SharedData.root.appendingPathComponent("models/lite0_trained/test_data_set_0/input_0.pb"))
        try pb.prefix(pb.count / 3).write(to: truncated)
        let text = dir.appendingPathComponent("notes.ppm")
        try Data("this is not an image\n".utf8).write(to: text)
        let cases: [(String, String)] = [
            (wrongSize, "expected 1x3x224x224"),
            (truncated.path, truncated.path),
            (text.path, "not a PPM image"),
            (dir.appendingPathComponent("missing.npy").path, "cannot open"),
        ]
        for (input, needle) in cases {
            let run = try runProgram(program.binary, [input])
            #expect(run.status == 2, "\(input): exit \(run.status)")
            #expect(run.stderrLines.count == 1, "\(input): \(run.stderr)")
            #expect(run.stderr.hasPrefix("error: ") && run.stderr.contains(needle), "\(input): \(run.stderr)")
            #expect(run.stdout.isEmpty, "\(input): \(run.stdout)")
        }
    }

    @Test(.enabled(if: hasLite0))
    func benchPrintsMinAndMedian() throws {
        let program = try BinaryCache.shared.binary(Self.app)
        let input = SharedData.root.appendingPathComponent("models/lite0_trained/test_data_set_0/input_0.pb").path
        let run = try runProgram(program.binary, [input, "--bench", "3"])
        #expect(run.status == 0, "\(run.stderr)")
        let lines = run.stdout.split(separator: "\n")
        #expect(lines.count == 1, "\(run.stdout)")
        let pattern = /^min [0-9]+\.[0-9]+ ms  median [0-9]+\.[0-9]+ ms(  peak RSS [0-9]+\.[0-9] MiB  threads [0-9]+)?$/
        #expect(lines.first.map { (try? pattern.wholeMatch(in: $0)) != nil } == true, "\(run.stdout)")
    }

    /// The program's arguments: counts from 1, `--top` honoured with `--bench`, and every argument
    /// error one reason line, the usage, and exit status 2.
    @Test(.enabled(if: hasLite0))
    func argumentsAreCheckedWithAReason() throws {
        let program = try BinaryCache.shared.binary(Self.app)
        let input = SharedData.root.appendingPathComponent("models/lite0_trained/test_data_set_0/input_0.pb").path
        let both = try runProgram(program.binary, [input, "--bench", "2", "--top", "2"])
        #expect(both.status == 0, "\(both.stderr)")
        let lines = both.stdout.split(separator: "\n")
        #expect(lines.count == 3 && lines.first?.hasPrefix("min ") == true, "\(both.stdout)")
        for (arguments, reason) in [([input, "--top", "0"], "error: --top needs a count from 1 to 1000000, not 0"),
                                    ([input, "--bench", "0"], "error: --bench needs a count from 1 to 1000000, not 0"),
                                    ([input, "--top", "x"], "error: --top needs a count from 1 to 1000000, not x"),
                                    ([input, "--frobnicate"], "error: unknown option --frobnicate"),
                                    ([input, "--top"], "error: missing value for --top"),
                                    ([input, input], "error: more than one input: \(input)"),
                                    ([], "error: no input file given")] {
            let run = try runProgram(program.binary, arguments)
            #expect(run.status == 2, "\(arguments): \(run.stderr)")
            #expect(run.stderrLines.first.map(String.init) == reason && run.stderrLines.count == 3, "\(arguments): \(run.stderr)")
            #expect(run.stdout.isEmpty)
        }
    }

    /// `--profile N --profile-json FILE`: one row per node of the plan, in order, with its kernel and
    /// work, and the sum of the rows against the whole-run median (no timing is asserted).
    @Test(.enabled(if: hasLite0))
    func profileHasARowPerNode() throws {
        let program = try BinaryCache.shared.binary(Self.app)
        let input = SharedData.root.appendingPathComponent("models/lite0_trained/test_data_set_0/input_0.pb").path
        let json = try TemporaryFolder.make().appendingPathComponent("profile.json").path
        let run = try runProgram(program.binary, [input, "--profile", "2", "--profile-json", json, "--peak-gflops", "100",
                                                  "--bandwidth-gbs", "10", "--threads", "2"])
        #expect(run.status == 0, "\(run.stderr)")
        // The roofline of two threads has two cores' peak.
        #expect(run.stdout.hasPrefix("profile: 2 runs after a warm-up, 2 threads; roofline: peak 200.0 GFLOP/s"), "\(run.stdout)")
        #expect(run.stdout.contains("sum of rows ") && run.stdout.contains("whole-run median"))
        let profile = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any])
        let layers = try #require(profile["layers"] as? [[String: Any]])
        let indices = layers.compactMap { $0["index"] as? Int }
        var graph = try ONNXImporter.load(path: SharedData.root.appendingPathComponent("models/lite0_trained/model.onnx").path).graph
        try Pipeline.run(Pipeline.standard(isa: Self.app.target.isa), on: &graph)
        let functions = try Lowering.lower(graph, banner: []).functions.count
        #expect(indices == indices.sorted() && layers.count == functions, "\(layers.count) layers for \(functions) node functions")
        #expect(layers.allSatisfy { ($0["kernel"] as? String)?.hasPrefix("f32_") == true && $0["macs"] is Int && $0["bound"] is String })
        #expect(run.stdout.split(separator: "\n").count == layers.count + 3)
        let bad = try runProgram(program.binary, [input, "--profile-json", json])
        #expect(bad.status == 2 && bad.stderrLines.first == "error: --profile-json needs --profile N")
    }

    /// Threads: every thread count gives the same bits (`--threads` or `KILN_THREADS`; 3 threads on
    /// this 2-core machine also checks that more threads than cores finish), on tv_b0 (squeeze-excite
    /// gates and gated GEMMs, whose parts meet at barriers inside the node) and lite0; bad counts are
    /// one line and exit status 2.
    @Test(.enabled(if: models.contains("tv_b0") && hasLite0))
    func everyThreadCountGivesTheSameBits() throws {
        let out = try TemporaryFolder.make()
        defer { try? FileManager.default.removeItem(at: out) }
        for config in [BuildConfig(model: "tv_b0"), Self.app] {
            let program = try BinaryCache.shared.binary(config)
            let input = SharedData.root.appendingPathComponent("models/\(config.model)/test_data_set_0/input_0.pb").path
            var results: [Data] = []
            for (threads, viaEnvironment) in [(1, false), (2, false), (3, false), (2, true)] {
                let npy = out.appendingPathComponent("\(config.model)-\(threads)-\(viaEnvironment).npy").path
                let run = viaEnvironment
                    ? try runProgram(program.binary, [input, "-o", npy], environment: ["KILN_THREADS": "\(threads)"])
                    : try runProgram(program.binary, [input, "-o", npy, "--threads", "\(threads)"])
                try #require(run.status == 0, "\(config) at \(threads) threads: \(run.stderr)")
                results.append(try Data(contentsOf: URL(fileURLWithPath: npy)))
            }
            #expect(results.allSatisfy { $0 == results[0] }, "\(config): results differ between thread counts")
        }
        let program = try BinaryCache.shared.binary(Self.app)
        let input = SharedData.root.appendingPathComponent("models/lite0_trained/test_data_set_0/input_0.pb").path
        for (arguments, environment, reason) in [([input, "--threads", "0"], [:], "error: --threads needs a count from 1 to 256, not 0"),
                                                 ([input, "--threads", "x"], [:], "error: --threads needs a count from 1 to 256, not x"),
                                                 ([input], ["KILN_THREADS": "many"], "error: KILN_THREADS needs a count from 1 to 256, not many")] {
            let run = try runProgram(program.binary, arguments, environment: environment)
            #expect(run.status == 2 && run.stderrLines.first.map(String.init) == reason, "\(arguments): \(run.stderr)")
        }
    }
}
